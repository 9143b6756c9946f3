"""The JSON body parser: a body too deeply nested to parse is a 400 parse_error, like any other bad JSON."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            # json.loads recurses once per nesting level: 100,000 "[" exhaust the stack (a 500 otherwise).
            raise ParseError("JSON parse error - nested too deeply.") from None
