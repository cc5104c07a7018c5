"""Load the shipped food composition table (data/food_composition_cn_v6.csv). Missing foods are
created; with --update the values of the foods already there are rewritten (a new edition).
Kindergartens' own foods are never touched. `migrate` runs it without --update."""

from django.core.management.base import BaseCommand

from houqin.canteen.foods import load_food_table


class Command(BaseCommand):
    help = "Load the Chinese food composition table shipped with Houqin."

    def add_arguments(self, parser):
        parser.add_argument("--update", action="store_true", help="Also rewrite the values of foods already loaded.")

    def handle(self, *args, update=False, **options):
        result = load_food_table(update=update)
        self.stdout.write(f"foods created: {result['created']}, updated: {result['updated']}")
