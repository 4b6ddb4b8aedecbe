"""Placeholder."""

import streamlit as st

st.title("score")
st.info("Coming soon.")
