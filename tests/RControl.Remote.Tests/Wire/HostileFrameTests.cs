using System.Runtime.Serialization;
using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using RControl.Protocol;
using RControl.Remote.Tests.Support;
using RControl.Security;
using RControl.Serialization;
using RControl.TestSupport;

namespace RControl.Remote.Tests.Wire;

/// <summary>
/// A real daemon process receives, through a real Akka.Remote client, frames of a few bytes that claim a huge count
/// or length (the shape that once grew a daemon from 105 MB to 9.9 GB with 40 frames): its memory does not move, each
/// frame is one warning naming the manifest, and it still serves a normal client afterwards.
/// </summary>
public sealed partial class HostileFrameTests
{
    private const string Config = """
        akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = {port} }
        rcontrol.sessions { local { type = local } }
        """;

    private static readonly byte[] HugeCount = [0x80, 0xE5, 0x9A, 0x77]; // 250,000,000 as a protobuf varint

    [Fact]
    public async Task Forty_tiny_frames_claiming_huge_counts_leave_the_daemon_small_and_serving()
    {
        await using var daemon = await DaemonProcess.StartReadyAsync(Config);
        await using (var first = await RemoteEngine.ConnectAsync(daemon.Address, daemon.AdminConfig))
        {
            Assert.Equal(0, await (await first.GetSessionAsync("local")).Execute("true").WaitAsync());
        }

        // The attacker holds a credential (only those get through TLS at all): the wire must still hold.
        var attackerConfig = ConfigurationFactory.ParseString($$"""
            akka.loglevel = WARNING
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            akka.actor.serializers.raw = "{{typeof(RawFrameSerializer).AssemblyQualifiedName}}"
            akka.actor.serialization-bindings { "{{typeof(RawFrame).AssemblyQualifiedName}}" = raw }
            """).WithFallback(daemon.AdminConfig).WithFallback(Configuration.RControlConfig.ReferenceConfig);
        var attacker = ActorSystem.Create("attacker", RemoteSecurity.CreateSystemSetup(attackerConfig, RemoteSecurity.ForClient(attackerConfig, null, null)));
        try
        {
            var target = attacker.ActorSelection($"{daemon.Address.Replace("akka.tcp://", "akka.ssl.tcp://", StringComparison.Ordinal)}/user/anyone");
            var frames = HostileFrames().ToArray();

            // One frame first: the daemon's first refusal loads code and logging, which is not what is measured.
            target.Tell(frames[0]);
            await Poll.UntilAsync(() => Refusals(daemon.Output) >= 1, TimeSpan.FromSeconds(30), "the first refusal in the daemon log");
            var before = VmRssBytes(daemon.Pid);

            foreach (var frame in Enumerable.Range(0, 40).Select(i => frames[i % frames.Length]))
            {
                target.Tell(frame);
            }

            await Poll.UntilAsync(() => Refusals(daemon.Output) >= 41, TimeSpan.FromSeconds(30), "41 refusals in the daemon log");
            var grown = VmRssBytes(daemon.Pid) - before;
            Assert.True(grown < 10 * 1024 * 1024, $"the daemon's RSS grew by {grown / 1024} KiB");
            Assert.Contains("RControl wire: malformed Execute (", daemon.Output);
            Assert.Contains("RControl wire: unknown manifest 'SessionList.1'", daemon.Output);
            Assert.False(daemon.HasExited);
        }
        finally
        {
            await attacker.Terminate();
        }

        await using var client = await RemoteEngine.ConnectAsync(daemon.Address, daemon.AdminConfig);
        var lines = new List<string>();
        var session = await client.GetSessionAsync("local");
        Assert.Equal(0, await session.Execute("echo still serving", new CommandOptions { OnStdout = (_, l) => lines.Add(l) }).WaitAsync());
        Assert.Equal(["still serving"], lines);
    }

    private static IEnumerable<RawFrame> HostileFrames()
    {
        // Version 2 messages whose first length-delimited field claims 250,000,000 bytes, then 4 bytes.
        yield return new RawFrame("Execute", [0x12, .. HugeCount, 1, 2, 3, 4]);
        yield return new RawFrame("OpenSession", [0x12, .. HugeCount, 1, 2, 3, 4]);
        yield return new RawFrame("GetSession", [0x0A, .. HugeCount, 1, 2, 3, 4]);
        yield return new RawFrame("WriteChunk", [0x12, .. HugeCount, 1, 2, 3, 4]);
        yield return new RawFrame("OutputAck", [0x0A, .. HugeCount, 1, 2, 3, 4]);

        // The version 1 shapes: a 4-byte count first.
        yield return new RawFrame("SessionList.1", [.. BitConverter.GetBytes(250_000_000)]);
        yield return new RawFrame("Execute.1", [0x01, 0x41, .. BitConverter.GetBytes(250_000_000)]);
        yield return new RawFrame("FileResult.1", [0x00, 0x01, .. BitConverter.GetBytes(250_000_000)]);
    }

    private static int Refusals(string output) => RefusalLine().Count(output);

    private static long VmRssBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    [GeneratedRegex(@"RControl wire: (malformed|unknown manifest)")]
    private static partial Regex RefusalLine();
}

/// <summary>Bytes sent as they are, under a manifest of the RControl serializer.</summary>
public sealed record RawFrame(string Manifest, byte[] Bytes);

/// <summary>Writes <see cref="RawFrame"/>s with the RControl serializer's id, so the receiver reads them with it.</summary>
public sealed class RawFrameSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public override int Identifier => RControlMessageSerializer.SerializerId;

    public override string Manifest(object o) => ((RawFrame)o).Manifest;

    public override byte[] ToBinary(object obj) => ((RawFrame)obj).Bytes;

    public override object FromBinary(byte[] bytes, string manifest) => throw new SerializationException("send only");
}
