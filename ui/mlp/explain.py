"""Plain-words explanations tied to what the pages show."""
MLP_TEXT = """
**Neurons.** Each square in the network is a neuron. It adds up its inputs, each multiplied by a
*weight*, adds its own *bias* (the small square on its corner), and passes the sum through an
*activation function* such as tanh or ReLU. The picture inside the square is that neuron's output
for every point of the plane: blue where it is positive, orange where it is negative.

**Weights.** The lines are the weights. Blue lines add, orange lines subtract; thicker lines matter
more. Hover over a line to read its value; pause and click it to type a new one and watch every
picture to its right change.

**Layers.** The first layer can only draw straight boundaries (one line per neuron). Each later
layer combines the pictures before it, so deeper networks can draw curves, rings and spirals. Try
the spiral with one hidden layer, then with four.

**Activations.** Without an activation (linear) stacked layers collapse into one straight line.
Sigmoid and tanh bend smoothly but flatten out for large inputs; ReLU is zero for negative inputs,
so a ReLU neuron can go *dead* (crossed out) and stop learning.

**Loss.** The loss measures how wrong the output is on the training points (curves below, per
epoch). The test loss uses points the network never trains on: if it rises while the training
loss falls, the network is memorising, not learning. Regularization (L1, L2) and dropout fight that.

**Backpropagation.** After each batch of points, the error at the output is sent backwards through
the weights to tell every weight which way to move; the learning rate is how far it moves. The
gradient-flow chart shows how large those corrections are in each layer: with many sigmoid layers
they shrink toward the input (the *vanishing gradient*), with ReLU they do not. *Gradient clipping*
(Training) scales the whole correction down when it is larger than its setting.

**Activation statistics.** Under the curves, each layer's band shows what its activation function
receives (the weighted sums) for a fixed batch of training points, epoch by epoch: the line is the
median, the bands hold the middle half and 90 % of the values; grey is where the activation is flat.
Paused, the histograms show the same values at the epoch shown.

**Batch norm.** With the *Batch norm* switch (Training) each hidden layer first shifts and scales its
neurons' sums to mean 0 and spread 1 over the batch (then by a learnt scale and shift), and only then
applies its activation; the network marks those layers. In the *Deep sigmoid* preset, without it the
differences between points shrink layer by layer until the output gets the same value for every
point and the network stays at chance; with it the bands stay spread out and it learns in seconds.
"""

