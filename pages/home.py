"""Home: what the playground is, and a quick proof that the engine trains."""
import streamlit as st

from ui.engine_check import train_demo

st.title("Neural-network playground")
st.write("Pick a network, press Play, and watch it learn. The engine below is "
         "compiled with Numba and trains a network step by step.")
if st.button("Train a small network on the circle data", type="primary"):
    with st.spinner("Compiling the engine (first run only) and training..."):
        result = train_demo()
    st.metric("Test accuracy", f"{result['test_acc']:.0%}")
    st.line_chart(result["loss"], x_label="Step", y_label="Training loss")
