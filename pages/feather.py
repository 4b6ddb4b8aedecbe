"""Placeholder."""

import streamlit as st

st.title("feather")
st.info("Coming soon.")
