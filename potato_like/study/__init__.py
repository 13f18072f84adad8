"""The study flow: phases in order (consent, prestudy, instructions, training, annotation,
poststudy), their pages and the rules for moving on."""
