"""App tests: the real pages under streamlit.testing AppTest against the simulator."""
