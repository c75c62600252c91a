"""The task consumer's entry point: `huey_consumer quizapp.worker.huey` runs the app's queue with its settings."""
from quizapp import create_app

app = create_app()
huey = app.extensions["huey"]
