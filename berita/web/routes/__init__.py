"""One router per resource: the JSON API and the HTML pages."""
