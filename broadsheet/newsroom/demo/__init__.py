"""Demo content for Broadsheet: a small, hand-written newsroom and a bulk article generator.

- stories_en.py, stories_es.py, people.py: the original text (fictional places and people).
- images.py: pictures drawn with Pillow, so the demo needs no downloads.
- loader.py: builds the demo through Wagtail (load_demo_content).
- bulk.py: inserts many synthetic articles straight into the tables (generate_articles).
"""
