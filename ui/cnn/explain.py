"""Plain-words explanations of what the CNN page shows."""
CNN_TEXT = """
**Kernels.** A convolution layer holds a few small grids of weights, the *kernels* (3×3 by default).
Each kernel slides over its input, one position at a time; at every position it multiplies the
pixels under it by its weights, adds them up with a bias, and passes the sum through an activation
such as ReLU. Click any cell of a feature map: a view opens under the overview with the kernel's
window on its input, the map beside it and every number of that sum. **Slide the kernel** moves the
window one position at a time (slow, medium or fast; pause any time) and builds the map as it goes.
Paused, you can type a kernel there (or pick one: a vertical edge, a blur) and see its map at once.

**Feature maps.** Sliding one kernel over the whole image gives one *feature map*: blue where the
image looks like what the kernel looks for, orange where it looks like the opposite, grey for 0.
Each column of the overview has its own colour scale, drawn under it: the deepest colour stands for
the value printed there. The Kernels panel does the same with the weights (its "−1.1 … +1.1":
the layer's largest weight is full orange or full blue).

**Bars.** Small images of a line in four orientations, trained with learning rate 0.01 and L2 0.01:
within ten epochs (a second or two) two to four of the eight first-layer kernels become clean line
detectors, each a line through its centre. Without L2 the net gets every image right while its
kernels keep most of their random start: the lesson "Kernels as line detectors" shows both.

**Pooling.** A 2×2 pooling keeps the largest (max) or the mean (average) of each window: the maps
shrink by half and a feature may move a pixel without changing the result.

**Deeper layers.** The second conv layer's input has as many *channels* as the layer below has
maps (8 by default). Each of its filters has one kernel slice per channel (the rows of its column
in the Kernels panel), slides all of them at once, and adds up what they find: it combines simple
features into shapes such as loops, crossings and corners.

**Softmax.** The last layer gives one number per class; the *softmax* turns them into probabilities
that add up to 100 %. Training nudges every kernel so the right class's probability grows.

**Test images.** Under each one, the network's answer and how sure it is; red means wrong (the true
label is written under it), ✓ right. Click one to follow it through the network.

**Confusion.** The confusion matrix counts test images by true class (rows) and prediction
(columns): the mistakes off the diagonal are where two classes look alike to the network. It counts
the same images as Test accuracy: on MNIST a fixed sample of the 2,000 test digits, so that a live
frame stays fast (512 for the default network; its header says how many), on the bars all 500.

**Curves.** Loss and accuracy after each epoch; the gradient chart shows how much the loss changes
with each layer's weights on a logarithmic scale: each gridline is 10 times the one below.
"""
