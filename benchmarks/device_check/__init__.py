"""The device check: every GPU number ganbench needs, measured in one run of at most 8 minutes.

A GPU is lent only now and then, for about 15 minutes, so this script is prepared and tested in
advance (``--device cpu --tiny`` runs in CI) and is run unchanged when one is available:

    python -m benchmarks.device_check --out reports/device

It writes ``DIR/device-check.json`` and ``DIR/device-check.md`` (hardware named: GPU, driver,
torch and CUDA versions). Sections, each in its own forked process with a hard time cap, so a
crash, a hang or a CUDA error in one is recorded and the others still run (and each section's peak
GPU memory is its own):

1. ``pacgan_step``: PacGAN's MoG model, steps/s of a hand-written PyTorch loop vs ganbench eager
   (the harness's RunLoop) like with like, interleaved, both update rules (``gan_step_pair.py``,
   the comparison ``test_bench_gan_step.py`` makes); the plugin's ``train_step`` in a tight loop;
   compiled; pack 1 and 4.
2. ``replicas``: aggregate steps/s of N = 1, 10, 40, 80 vectorised replicas and of the replica
   groups of ``suites/pacgan-mog-paper.yaml``; the projected wall time of the full protocol.
3. ``protocol``: that protocol at a tenth of its budget (all 80 runs, ``run_suite`` with
   ``vectorize``), timed, its table beside PacGAN's Table 1.
4. ``fidelity``: IS + FID of 50,000 32x32 samples end to end with a random-weight Inception-v3 of
   the real architecture; feature extraction images/s.
5. ``zoo``: CIFAR-10-shaped training steps/s (batch 64) of dcgan, wgan-gp, sngan, sagan, biggan,
   stylegan: eager, compiled, bf16 autocast; beside StudioGAN's published steps/s.
6. ``stylegan_learning``: does StyleGAN learn MNIST at the reference's widths? The zoo-sanity
   protocol (``suites/zoo-sanity.yaml``: 600 steps, batch 64, 2 seeds, digits and FID at step 100
   and at the end, the same pass rule) with G and D at StyleGAN2-ADA's 512 channels, z and w 512,
   mapping depth 2, no mixing (its ``cifar`` config); the CPU check can only afford 32/16 channels,
   where NVIDIA's own networks collapse too (plugins/ganbench-stylegan/README.md). Needs MNIST and
   its evaluator under ``--data`` (default ``$GANBENCH_DATA``); carry them to the GPU machine. Seeds
   run one after the other, each recorded when done; to give it the time alone:
   ``--sections stylegan_learning --budget-s 300 --data DIR``.
7. ``seqgan``: SeqGAN's Table 1 row (``benchmarks/seqgan_device.py``): the seconds of each unit of
   its schedule on the device and the projected wall time of the paper's (18,750 MLE steps, 50 D
   pre-training rounds, 200 adversarial epochs), then the run itself: as many adversarial epochs as
   the section's cap allows, or the paper's 200 with ``--seqgan-full`` (give it the time:
   ``--sections seqgan --seqgan-full --budget-s 3600``). Needs the authors' oracle
   ``seqgan/target_params_py3.pkl`` under ``--data``; its NLL-oracle beside the paper's 8.736.


Every row carries its peak GPU memory (``torch.cuda.max_memory_allocated``; "n/a on CPU").
docs/device-check.md says what each number means.
"""
