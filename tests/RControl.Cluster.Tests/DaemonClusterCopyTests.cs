using System.Security.Cryptography;
using RControl.Cluster.Tests.Support;
using RControl.TestSupport;

namespace RControl.Cluster.Tests;

/// <summary>Two real daemons and the CLI: `rcontrol copy` through node A to and from a session hosted by node B.</summary>
public sealed class DaemonClusterCopyTests
{
    private const int Sessions = 6;

    [Fact]
    public async Task Copy_through_one_daemon_to_and_from_a_session_hosted_by_the_other_is_byte_identical()
    {
        using var dir = new TempDir();
        await using var cluster = await TwoNodeCluster.StartAsync(dir, Sessions);
        var (a, b, configHome) = (cluster.A, cluster.B, cluster.ConfigHome);

        // Where is each session? A command on each, through A, makes the nodes say which they host.
        var names = Enumerable.Range(0, Sessions).Select(i => $"s{i}").ToArray();
        var placed = await Cli.RunAsync(configHome, ["exec", .. names.SelectMany(n => new[] { "-t", n }), "--daemon", a.Address, "--", "true"]);
        Assert.True(placed.ExitCode == 0, placed.ToString());
        await Poll.UntilAsync(() => a.StartedSessions.Count + b.StartedSessions.Count == Sessions, TimeSpan.FromSeconds(30), "every session placed");
        var onA = a.StartedSessions.Order().FirstOrDefault();
        var onB = b.StartedSessions.Order().FirstOrDefault();
        Assert.True(onA is not null && onB is not null, $"the allocation spread six sessions over both nodes: A {string.Join(",", a.StartedSessions)}, B {string.Join(",", b.StartedSessions)}");

        var data = RandomNumberGenerator.GetBytes(5 * 1024 * 1024 + 777);
        await File.WriteAllBytesAsync(dir.PathOf("src.bin"), data);
        var there = await Cli.RunAsync(configHome, "copy", $"{onA}:{dir.PathOf("src.bin")}", $"{onB}:{dir.PathOf("on-b.bin")}", "--daemon", a.Address);
        Assert.True(there.ExitCode == 0, there.ToString() + a.Output + b.Output);
        var back = await Cli.RunAsync(configHome, "copy", $"{onB}:{dir.PathOf("on-b.bin")}", $"{onA}:{dir.PathOf("back.bin")}", "--daemon", a.Address);
        Assert.True(back.ExitCode == 0, back.ToString() + a.Output + b.Output);
        Assert.Equal(data, await File.ReadAllBytesAsync(dir.PathOf("on-b.bin")));
        Assert.Equal(data, await File.ReadAllBytesAsync(dir.PathOf("back.bin")));

        // An error on B's side is named as on one daemon, and nothing is written.
        var missing = await Cli.RunAsync(configHome, "copy", $"{onB}:{dir.PathOf("missing.bin")}", $"{onA}:{dir.PathOf("never.bin")}", "--daemon", a.Address);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("missing.bin", missing.Stderr + missing.Stdout);
        Assert.False(File.Exists(dir.PathOf("never.bin")));
    }
}
