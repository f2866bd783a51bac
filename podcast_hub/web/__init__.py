"""What the views share: sessions, forms and their field rules, links, template
filters, request safety and ownership cookies. May import the domain parts and
the root, never a blueprint's views."""
