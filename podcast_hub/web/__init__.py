"""What the views share: sessions, forms and their field rules, loading what a
URL names, links, template filters, request safety and ownership cookies. May
import the domain parts and the root, never a blueprint's views."""
