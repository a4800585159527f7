#!/usr/bin/env python3
"""One training step of each sparkgen default model, in PyTorch, for the `pytorch-train-step` benchmark.

The four architectures are the ones of model-lib's defaults (issue 3), layer for layer, with the
same parameter counts (the benchmark refuses to compare when they differ), the same losses,
optimizers (Adam) and an EMA of the weights after every step, as sparkgen's LocalTrainer does:
- vae: TensorFlow's CVAE tutorial, latent 16, Bernoulli likelihood, one reparameterised sample.
- gan: TensorFlow's DCGAN tutorial, non-saturating loss, both players' gradients from one forward
  pass (the tutorial's two gradient tapes), dropout 0.3 in D, batch norm in G.
- flow: Glow-style, squeeze to 14x14x4, 8 steps of ActNorm + LU 1x1 convolution + affine coupling
  (sigmoid scale, conditioner 3x3 -> 1x1 -> 3x3 of 64 channels), uniform dequantisation and logit.
- diffusion: DDPM's epsilon-prediction UNet of 32/64/128 channels at 28/14/7, one residual block per
  level with GroupNorm(8) and SiLU, sinusoidal time embedding, T = 1000, linear betas, MSE.

Prints one JSON object per family on stdout:
{"family", "parameters", "images_per_second", "iterations", "seconds", "batch", "threads", "torch"}.
"""

import argparse
import json
import math
import sys
import time

import torch
from torch import nn
from torch.nn import functional as F


class Vae(nn.Module):
    """Encoder Conv 32 k3 s2 -> Conv 64 k3 s2 -> Dense 2*latent; decoder Dense 7*7*32 -> ConvT 64, 32 k3 s2 -> ConvT 1 k3 s1."""

    def __init__(self, latent=16):
        super().__init__()
        self.latent = latent
        self.enc = nn.Sequential(
            nn.Conv2d(1, 32, 3, 2), nn.ReLU(), nn.Conv2d(32, 64, 3, 2), nn.ReLU(), nn.Flatten(),
            nn.Linear(64 * 6 * 6, 2 * latent))
        self.dec = nn.Sequential(
            nn.Linear(latent, 7 * 7 * 32), nn.ReLU(), nn.Unflatten(1, (32, 7, 7)),
            nn.ConvTranspose2d(32, 64, 3, 2, padding=1, output_padding=1), nn.ReLU(),
            nn.ConvTranspose2d(64, 32, 3, 2, padding=1, output_padding=1), nn.ReLU(),
            nn.ConvTranspose2d(32, 1, 3, 1, padding=1))

    def loss(self, x):
        target = (x + 1) / 2  # images in [-1, 1] -> Bernoulli targets in [0, 1]
        stats = self.enc(x)
        mu, log_var = stats[:, :self.latent], stats[:, self.latent:]
        z = mu + torch.exp(0.5 * log_var) * torch.randn_like(mu)
        logits = self.dec(z)
        log_px = -(F.softplus(logits) - target * logits).sum(dim=(1, 2, 3))
        kl = 0.5 * (mu * mu + log_var.exp() - 1 - log_var).sum(dim=1)
        return (kl - log_px).mean()


class Dcgan(nn.Module):
    def __init__(self, noise=100):
        super().__init__()
        self.noise = noise
        slope = 0.3
        self.gen_dense = nn.Linear(noise, 7 * 7 * 256, bias=False)
        self.gen = nn.Sequential(
            nn.BatchNorm1d(7 * 7 * 256, eps=1e-3, momentum=0.01), nn.LeakyReLU(slope), nn.Unflatten(1, (256, 7, 7)),
            nn.ConvTranspose2d(256, 128, 5, 1, padding=2, bias=False),
            nn.BatchNorm2d(128, eps=1e-3, momentum=0.01), nn.LeakyReLU(slope),
            nn.ConvTranspose2d(128, 64, 5, 2, padding=2, output_padding=1, bias=False),
            nn.BatchNorm2d(64, eps=1e-3, momentum=0.01), nn.LeakyReLU(slope),
            nn.ConvTranspose2d(64, 1, 5, 2, padding=2, output_padding=1, bias=False), nn.Tanh())
        self.disc = nn.Sequential(
            nn.Conv2d(1, 64, 5, 2, padding=2), nn.LeakyReLU(slope), nn.Dropout(0.3),
            nn.Conv2d(64, 128, 5, 2, padding=2), nn.LeakyReLU(slope), nn.Dropout(0.3),
            nn.Flatten(), nn.Linear(128 * 7 * 7, 1))

    def generator_parameters(self):
        return list(self.gen_dense.parameters()) + list(self.gen.parameters())


class ActNorm(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.log_s = nn.Parameter(torch.zeros(1, c, 1, 1))
        self.b = nn.Parameter(torch.zeros(1, c, 1, 1))

    def forward(self, x):
        return x * self.log_s.exp() + self.b, self.log_s.sum() * x.shape[2] * x.shape[3]


class InvConv(nn.Module):
    """W = P L (U + diag(sign * exp(log_s))) (Glow eq. 10); L, U stored full and masked, as sparkgen does."""

    def __init__(self, c):
        super().__init__()
        w = torch.linalg.qr(torch.randn(c, c))[0]
        p, l, u = torch.linalg.lu(w)
        s = torch.diagonal(u)
        self.register_buffer("p", p)
        self.register_buffer("sign_s", torch.sign(s))
        self.register_buffer("lower_mask", torch.tril(torch.ones(c, c), -1))
        self.register_buffer("eye", torch.eye(c))
        self.lower = nn.Parameter(l * self.lower_mask)
        self.upper = nn.Parameter(torch.triu(u, 1))
        self.log_s = nn.Parameter(s.abs().log())

    def forward(self, x):
        lower = self.lower * self.lower_mask + self.eye
        upper = self.upper * self.lower_mask.t() + torch.diag(self.sign_s * self.log_s.exp())
        w = self.p @ lower @ upper
        return F.conv2d(x, w.view(*w.shape, 1, 1)), self.log_s.sum() * x.shape[2] * x.shape[3]


class Coupling(nn.Module):
    def __init__(self, c, hidden):
        super().__init__()
        self.ca = c // 2
        last = nn.Conv2d(hidden, 2 * self.ca, 3, padding=1)
        nn.init.zeros_(last.weight)
        nn.init.zeros_(last.bias)
        self.nn = nn.Sequential(
            nn.Conv2d(c - self.ca, hidden, 3, padding=1), nn.ReLU(), nn.Conv2d(hidden, hidden, 1), nn.ReLU(), last)

    def forward(self, x):
        xa, xb = x[:, :self.ca], x[:, self.ca:]
        out = self.nn(xb)
        pre = out[:, :self.ca] + 2.0
        ya = xa * torch.sigmoid(pre) + out[:, self.ca:]
        return torch.cat([ya, xb], 1), (-F.softplus(-pre)).sum(dim=(1, 2, 3))


class Glow(nn.Module):
    def __init__(self, steps=8, hidden=64, alpha=0.05):
        super().__init__()
        self.alpha = alpha
        self.layers = nn.ModuleList()
        for _ in range(steps):
            self.layers.extend([ActNorm(4), InvConv(4), Coupling(4, hidden)])

    def loss(self, x):
        levels = torch.round((x + 1) * 127.5).clamp(0, 255)
        y = (levels + torch.rand_like(levels)) / 256
        p = y * (1 - 2 * self.alpha) + self.alpha
        h = torch.log(p) - torch.log1p(-p)
        log_det_logit = (-(torch.log(p) + torch.log1p(-p)) + math.log(1 - 2 * self.alpha)).sum(dim=(1, 2, 3))
        n, c, hh, ww = h.shape
        h = h.reshape(n, c, hh // 2, 2, ww // 2, 2).permute(0, 1, 3, 5, 2, 4).reshape(n, 4 * c, hh // 2, ww // 2)
        log_det = torch.zeros(n)
        for layer in self.layers:
            h, d = layer(h)
            log_det = log_det + d
        log_pz = -0.5 * (h * h + math.log(2 * math.pi)).sum(dim=(1, 2, 3))
        dims = c * hh * ww
        # bits/dim of the discrete data: the logit's log-determinant and the 256 bins, as sparkgen reports it
        log_py = log_pz + log_det + log_det_logit
        return ((-log_py + dims * math.log(256)) / (dims * math.log(2))).mean()


class ResBlock(nn.Module):
    def __init__(self, cin, cout, emb, groups):
        super().__init__()
        self.norm0 = nn.GroupNorm(groups, cin)
        self.conv0 = nn.Conv2d(cin, cout, 3, padding=1)
        self.temb = nn.Linear(emb, cout)
        self.norm1 = nn.GroupNorm(groups, cout)
        self.conv1 = nn.Conv2d(cout, cout, 3, padding=1)
        nn.init.zeros_(self.conv1.weight)
        nn.init.zeros_(self.conv1.bias)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x, emb_act):
        h = self.conv0(F.silu(self.norm0(x))) + self.temb(emb_act)[:, :, None, None]
        h = self.conv1(F.silu(self.norm1(h)))
        return self.skip(x) + h


class UNet(nn.Module):
    def __init__(self, channels=(32, 64, 128), emb=128, groups=8, steps=1000):
        super().__init__()
        self.channels = channels
        self.t_dense0 = nn.Linear(channels[0], emb)
        self.t_dense1 = nn.Linear(emb, emb)
        self.conv_in = nn.Conv2d(1, channels[0], 3, padding=1)
        self.down = nn.ModuleList()
        self.pool = nn.ModuleList()
        cin = channels[0]
        for level, cout in enumerate(channels):
            self.down.append(ResBlock(cin, cout, emb, groups))
            if level + 1 < len(channels):
                self.pool.append(nn.Conv2d(cout, cout, 3, 2, padding=1))
            cin = cout
        self.mid = ResBlock(cin, cin, emb, groups)
        self.up = nn.ModuleList()
        self.up_conv = nn.ModuleList()
        for level in reversed(range(len(channels))):
            cout = channels[level]
            self.up.append(ResBlock(cin + cout, cout, emb, groups))
            if level > 0:
                self.up_conv.append(nn.Conv2d(cout, cout, 3, padding=1))
            cin = cout
        self.norm_out = nn.GroupNorm(groups, cin)
        self.conv_out = nn.Conv2d(cin, 1, 3, padding=1)
        nn.init.zeros_(self.conv_out.weight)
        nn.init.zeros_(self.conv_out.bias)
        betas = torch.linspace(1e-4, 0.02, steps, dtype=torch.float64)
        self.register_buffer("alpha_bar", torch.cumprod(1 - betas, 0).float())
        self.steps = steps

    def time_features(self, t):
        half = self.channels[0] // 2
        freqs = torch.exp(-math.log(10000.0) / (half - 1) * torch.arange(half, dtype=torch.float32))
        arg = t.float()[:, None] * freqs[None, :]
        return torch.cat([arg.sin(), arg.cos()], 1)

    def epsilon(self, x, t):
        emb_act = F.silu(self.t_dense1(F.silu(self.t_dense0(self.time_features(t)))))
        h = self.conv_in(x)
        skips = []
        for level, block in enumerate(self.down):
            h = block(h, emb_act)
            skips.append(h)
            if level < len(self.pool):
                h = self.pool[level](h)
        h = self.mid(h, emb_act)
        for i, block in enumerate(self.up):
            h = block(torch.cat([h, skips.pop()], 1), emb_act)
            if i < len(self.up_conv):
                h = self.up_conv[i](F.interpolate(h, scale_factor=2, mode="nearest"))
        return self.conv_out(F.silu(self.norm_out(h)))

    def loss(self, x0):
        t = torch.randint(1, self.steps + 1, (x0.shape[0],))
        ab = self.alpha_bar[t - 1][:, None, None, None]
        noise = torch.randn_like(x0)
        xt = ab.sqrt() * x0 + (1 - ab).sqrt() * noise
        return F.mse_loss(self.epsilon(xt, t), noise)


class Ema:
    """w_ema <- beta w_ema + (1 - beta) w after every step (sparkgen's half-life in images gives beta)."""

    def __init__(self, module, half_life_images, batch):
        self.beta = 0.5 ** (batch / half_life_images)
        self.shadow = [p.detach().clone() for p in module.parameters()]
        self.params = list(module.parameters())

    @torch.no_grad()
    def update(self):
        torch._foreach_mul_(self.shadow, self.beta)
        torch._foreach_add_(self.shadow, self.params, alpha=1 - self.beta)


def single_model_step(model, lr, beta1):
    adam = torch.optim.Adam(model.parameters(), lr=lr, betas=(beta1, 0.999), eps=1e-7)

    def step(x):
        adam.zero_grad(set_to_none=True)
        loss = model.loss(x)
        loss.backward()
        adam.step()
        return loss.item()

    return step


def gan_step(model):
    gen_params = model.generator_parameters()
    disc_params = list(model.disc.parameters())
    adam_g = torch.optim.Adam(gen_params, lr=2e-4, betas=(0.5, 0.999), eps=1e-7)
    adam_d = torch.optim.Adam(disc_params, lr=2e-4, betas=(0.5, 0.999), eps=1e-7)

    def step(x):
        z = torch.randn(x.shape[0], model.noise)
        fake = model.gen(model.gen_dense(z))
        real_logits = model.disc(x)
        fake_logits = model.disc(fake)
        d_loss = (F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
                  + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits)))
        g_loss = F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))
        g_grads = torch.autograd.grad(g_loss, gen_params, retain_graph=True)
        d_grads = torch.autograd.grad(d_loss, disc_params)
        for p, g in zip(gen_params, g_grads):
            p.grad = g
        for p, g in zip(disc_params, d_grads):
            p.grad = g
        adam_g.step()
        adam_d.step()
        return d_loss.item() + g_loss.item()

    return step


def build(family):
    """(model, step function) of a family's default model with its default optimizer."""
    if family == "vae":
        model = Vae()
        return model, single_model_step(model, 1e-4, 0.9)
    if family == "gan":
        model = Dcgan()
        return model, gan_step(model)
    if family == "flow":
        model = Glow()
        return model, single_model_step(model, 1e-3, 0.9)
    if family == "diffusion":
        model = UNet()
        return model, single_model_step(model, 2e-4, 0.9)
    raise SystemExit(f"unknown family '{family}'; known: vae, gan, flow, diffusion")


def measure(family, batch, min_seconds, min_iterations, half_life_images, seed):
    torch.manual_seed(seed)
    model, step = build(family)
    model.train()
    ema = Ema(model, half_life_images, batch)
    data = torch.rand(4 * batch, 1, 28, 28) * 2 - 1
    batches = [data[i * batch:(i + 1) * batch] for i in range(4)]

    def one(i):
        loss = step(batches[i % 4])
        ema.update()
        if not math.isfinite(loss):
            raise SystemExit(f"{family}: non-finite loss {loss} at step {i}")

    one(0)  # first step: allocation and warm-up, not timed
    iterations = 0
    start = time.perf_counter()
    while True:
        one(iterations + 1)
        iterations += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds and iterations >= min_iterations:
            break
    return {
        "family": family,
        "parameters": sum(p.numel() for p in model.parameters()),
        "images_per_second": iterations * batch / elapsed,
        "iterations": iterations,
        "seconds": elapsed,
        "batch": batch,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
    }


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--families", default="vae,gan,flow,diffusion")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--threads", type=int, default=0, help="intra-op threads; 0: PyTorch's default")
    parser.add_argument("--min-seconds", type=float, default=1.0)
    parser.add_argument("--min-iterations", type=int, default=3)
    parser.add_argument("--ema-half-life-images", type=float, default=10000.0)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--parameters-only", action="store_true", help="print parameter counts, do not train")
    args = parser.parse_args(argv)
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    for family in args.families.split(","):
        family = family.strip()
        if args.parameters_only:
            model, _ = build(family)
            print(json.dumps({"family": family, "parameters": sum(p.numel() for p in model.parameters())}))
        else:
            print(json.dumps(measure(family, args.batch, args.min_seconds, args.min_iterations,
                                     args.ema_half_life_images, args.seed)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
