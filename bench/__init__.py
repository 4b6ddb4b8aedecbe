"""Benchmarks of loading, caching and frames: `python -m bench` prints one table, never asserts.

Parts: `load` (cold and warm loads against the simulator over HTTP), `frames_scale` (frames at a
million responses, in a fresh subprocess for its peak memory), `cache_cost` (what st.cache_data's
pickling would cost per rerun), `browser` (the Overview in Chromium), `report` (the table).
"""
