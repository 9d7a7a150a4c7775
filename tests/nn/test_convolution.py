from __future__ import annotations

import torch

from rnnkit.nn.convolution import ConvBlocks, MaskedBatchNorm1d, masked_mean


def test_masked_batch_norm_statistics_are_the_real_steps_statistics():
    torch.manual_seed(0)
    x = torch.randn(3, 2, 6)
    lengths = torch.tensor([6, 3, 4])
    mask = (torch.arange(6)[None] < lengths[:, None]).unsqueeze(1).float()
    norm = MaskedBatchNorm1d(2, momentum=1.0)  # running stats = this batch's
    norm.train()
    y = norm(x * mask + 100 * (1 - mask), mask)  # padding filled with junk
    real = torch.cat([x[b, :, :n] for b, n in enumerate(lengths.tolist())], dim=1)  # [2, 13]
    expected = (real - real.mean(1, keepdim=True)) / torch.sqrt(real.var(1, unbiased=False,
                                                                         keepdim=True) + 1e-5)
    got = torch.cat([y[b, :, :n] for b, n in enumerate(lengths.tolist())], dim=1)
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(norm.running_mean, real.mean(1))
    torch.testing.assert_close(norm.running_var, real.var(1, unbiased=True))


def test_blocks_are_blind_to_padding_and_stride_shortens_lengths():
    torch.manual_seed(0)
    blocks = ConvBlocks(2, (4, 8, 4), (7, 5, 3), stride=2).eval()
    short = torch.randn(1, 9, 2)
    alone, n_alone = blocks(short, torch.tensor([9]))
    padded = torch.cat([torch.cat([short, torch.zeros(1, 11, 2)], 1), torch.randn(1, 20, 2)])
    batch, n_batch = blocks(padded, torch.tensor([9, 20]))
    assert n_alone.tolist() == [5] and n_batch.tolist() == [5, 10]
    torch.testing.assert_close(batch[:1, :5], alone, rtol=1e-5, atol=1e-6)
    assert torch.all(batch[0, 5:] == 0)  # padding stays zero
    torch.testing.assert_close(masked_mean(batch, n_batch)[:1], alone.mean(1))


def test_a_sequence_shorter_than_the_conv_pool_reads_only_its_steps():
    """The single convolution was not masked: a sequence shorter than conv_pool pooled the
    convolution of a padded step with its real one; alone, it failed in max_pool1d."""
    from rnnkit.nn.config import RecurrentConfig, SequenceNetConfig
    from rnnkit.nn.sequence import SequenceNet

    torch.manual_seed(0)
    config = SequenceNetConfig(RecurrentConfig("gru", 4, 3), n_outputs=1, input_features=2,
                               front_end="conv", conv_channels=4, conv_kernel=3, conv_pool=2)
    net = SequenceNet(config).eval()
    x = torch.zeros(2, 4, 2)
    x[0], x[1, 0] = torch.randn(4, 2), torch.randn(2)
    with torch.no_grad():
        batched = net(x, torch.tensor([4, 1]))[1]
        alone = net(x[1:, :1], torch.tensor([1]))[0]
        front, lengths, _ = net.front(x, torch.tensor([4, 1]))
        real = torch.relu(net.conv(x[1:, :1].transpose(1, 2)))[0, :, 0]
    torch.testing.assert_close(batched, alone)
    torch.testing.assert_close(front[1, 0], real)  # the max over its one real step
    assert lengths.tolist() == [2, 1]
