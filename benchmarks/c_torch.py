"""PyTorch CPU contender (eager, NCHW natively)."""

from __future__ import annotations

from workloads import LR, LSTM


def _model(torch, model):
    nn = torch.nn
    if model == "mlp":
        return nn.Sequential(
            nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10)
        )
    if model == "cnn":
        return nn.Sequential(
            nn.Conv2d(1, 32, 3),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(1600, 128),
            nn.ReLU(),
            nn.Linear(128, 10),
        )
    if model == "resnet18":

        class Basic(nn.Module):
            def __init__(self, c_in, c, s):
                super().__init__()
                self.body = nn.Sequential(
                    nn.Conv2d(c_in, c, 3, s, 1, bias=False),
                    nn.BatchNorm2d(c),
                    nn.ReLU(),
                    nn.Conv2d(c, c, 3, 1, 1, bias=False),
                    nn.BatchNorm2d(c),
                )
                self.ds = (
                    nn.Sequential(nn.Conv2d(c_in, c, 1, s, bias=False), nn.BatchNorm2d(c))
                    if s != 1 or c_in != c
                    else nn.Identity()
                )

            def forward(self, x):
                return torch.relu(self.body(x) + self.ds(x))

        layers, c_in = [nn.Conv2d(3, 64, 3, 1, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU()], 64
        for c, s in [(64, 1), (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1)]:
            layers.append(Basic(c_in, c, s))
            c_in = c
        return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 10))
    if model == "lstm":

        class LM(nn.Module):
            def __init__(self):
                super().__init__()
                self.emb = nn.Embedding(LSTM["vocab"], LSTM["embed"])
                self.lstm = nn.LSTM(LSTM["embed"], LSTM["hidden"], batch_first=True)
                self.out = nn.Linear(LSTM["hidden"], LSTM["vocab"])

            def forward(self, x):
                return self.out(self.lstm(self.emb(x))[0])

        return LM()
    raise ValueError(model)


def build(w, x, y):
    import torch

    torch.manual_seed(0)
    net = _model(torch, w.model)
    opt = torch.optim.Adam(net.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()
    xb = torch.from_numpy(x.astype("int64") if w.model == "lstm" else x)
    yb = torch.from_numpy(y.astype("int64"))

    def step():
        opt.zero_grad(set_to_none=True)
        out = net(xb)
        loss = loss_fn(out.reshape(-1, out.shape[-1]), yb.reshape(-1))
        loss.backward()
        opt.step()
        return loss

    return {"step": step}
