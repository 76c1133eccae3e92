"""Home: what the playground is and where to go."""
import streamlit as st

from ui.autoencoder.thumbnails import code_plane_picture
from ui.cnn.thumbnails import digits_picture
from ui.mlp.thumbnails import dataset_thumbnail
from ui.rnn.thumbnails import rnn_thumbnail
from ui.theme import style
from ui.warmup import warmup

style()
# The cards' titles are h2 under the page's h1 (headings in order, WCAG), at a card's size.
st.markdown("<style>[data-testid=stVerticalBlock] h2 { font-size: 1.45rem; padding-top: 0.2rem; }</style>",
            unsafe_allow_html=True)
warmup().ready(("dense",))       # start compiling the MLP page's kernels while the visitor reads this page
st.title("Neural-network playground")
st.write("Pick a network, press **Play**, and watch it learn: every neuron, every weight and the loss "
         "move as the network trains, step by step, on a compiled engine right here.")

c1, c2 = st.columns(2)
with c1.container(border=True):
    st.header("Multi-layer perceptron", anchor=False)
    st.write("Classify 2-D points: circles, spirals, moons. See each neuron's view of the plane, "
             "the decision boundary forming, the gradient flowing back.")
    st.markdown(" ".join(f'<img src="{dataset_thumbnail(name)}" width="56" style="border-radius:6px" alt="{name}">'
                         for name in ("circle", "xor", "spiral", "spiral3")), unsafe_allow_html=True)
    st.page_link("app_pages/mlp.py", label="Open the MLP playground", icon=":material/arrow_forward:")
with c2.container(border=True):
    st.header("Convolutional network", anchor=False)
    st.write("Handwritten digits (MNIST): watch every kernel and feature map change as it learns, slide a "
             "kernel over a digit or type your own edge filter, and test the network on a digit you draw. "
             "On bar images, the first kernels become line detectors in seconds.")
    st.markdown(f'<img src="{digits_picture()}" width="100%" style="border-radius:6px;max-width:384px" '
                'alt="Handwritten digits from MNIST">', unsafe_allow_html=True)
    st.page_link("app_pages/cnn.py", label="Open the CNN playground", icon=":material/arrow_forward:")
c3, c4 = st.columns(2)
with c3.container(border=True):
    st.header("Recurrent network", anchor=False)
    st.write("Waves, memory and text: see the hidden state carried from step to step, the LSTM's gates, "
             "and the gradient vanishing through time, while an LSTM remembers what a plain RNN forgets.")
    st.markdown(f'<img src="{rnn_thumbnail()}" width="100%" style="max-width:300px" '
                'alt="A recurrent cell unrolled over time">', unsafe_allow_html=True)
    st.page_link("app_pages/rnn.py", label="Open the RNN playground", icon=":material/arrow_forward:")
with c4.container(border=True):
    st.header("Autoencoder", anchor=False)
    st.write("Learning without labels: a network squeezes each digit into two numbers and rebuilds it. Watch "
             "the digits group by kind on the code plane though no label is ever used, decode any point of the "
             "plane into a new image, and spot the images it cannot rebuild: anomalies.")
    st.markdown(f'<img src="{code_plane_picture()}" width="100%" style="max-width:300px" '
                'alt="Codes of handwritten digits on a plane, grouped by digit">', unsafe_allow_html=True)
    st.page_link("app_pages/autoencoder.py", label="Open the autoencoder", icon=":material/arrow_forward:")

with st.container(border=True, key="home-lessons"):
    st.header("Lessons", anchor=False)
    st.write("New here, or teaching a class? A guided course, one concept a lesson, a few minutes each: every "
             "lesson opens its page ready to go, asks you to predict what will happen, and ticks its checks as "
             "the live network does it. Your progress stays in your browser.")
    st.page_link("app_pages/lessons.py", label="Start the lessons", icon=":material/school:")
