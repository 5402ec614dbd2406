"""A Gluon 1.x training script in MXNet's idiom, run unchanged by MXNet 1.9.1 and mxjax.

``train(mx, ...)`` receives the framework module (``mxnet`` or ``mxjax``) and
uses only Gluon's public API. ``make_golden.py`` runs it with MXNet 1.9.1;
``tests/facade/test_gluon_lenet_golden.py`` runs it with mxjax.
"""


def build_net(mx, kind):
    nn = mx.gluon.nn
    net = nn.HybridSequential()
    with net.name_scope():
        if kind == "lenet":
            net.add(nn.Conv2D(channels=6, kernel_size=5, activation="relu"))
            net.add(nn.MaxPool2D(pool_size=2, strides=2))
            net.add(nn.Conv2D(channels=16, kernel_size=5, activation="relu"))
            net.add(nn.MaxPool2D(pool_size=2, strides=2))
            net.add(nn.Flatten())
            net.add(nn.Dense(64, activation="relu"))
            net.add(nn.Dense(10))
        else:
            net.add(nn.Dense(16, activation="relu"))
            net.add(nn.Dense(10))
    return net


def train(mx, kind, params_file, images, labels, batches, optimizer, optimizer_params, hybridize):
    gluon, autograd, nd = mx.gluon, mx.autograd, mx.nd
    net = build_net(mx, kind)
    net.load_parameters(params_file, ctx=mx.cpu())
    if hybridize:
        net.hybridize()
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), optimizer, optimizer_params)
    metric = mx.metric.Accuracy()
    losses = []
    for idx in batches:
        data = nd.array(images[idx])
        label = nd.array(labels[idx])
        with autograd.record():
            output = net(data)
            loss = loss_fn(output, label)
        loss.backward()
        trainer.step(data.shape[0])
        metric.update([label], [output])
        losses.append(float(loss.mean().asscalar()))
    name, acc = metric.get()
    return losses, acc
