using System.Security.Cryptography;
using RControl.Cluster.Tests.Support;
using RControl.Configuration;
using RControl.Files;
using RControl.Protocol;
using RControl.Remote;
using RControl.TestSupport;

namespace RControl.Cluster.Tests;

/// <summary>
/// File operations from a client of node A on a session hosted by node B (pinned there by its zone): copies both ways
/// byte-identical, grants checked at A's gate, and B lost in the middle of a read gives one clear error.
/// </summary>
public sealed class ClusterFileTests
{
    private const string ZoneA = "zone-a";
    private const string ZoneB = "zone-b";
    private const int FileBytes = 6 * 1024 * 1024 + 12345;

    private static Inventory TwoZones() => new(
        new Dictionary<string, SessionSpec>(StringComparer.Ordinal) { ["here"] = new LocalSessionSpec(), ["far"] = new LocalSessionSpec() },
        new Dictionary<string, IReadOnlyList<string>>()) { Zones = new Dictionary<string, string>(StringComparer.Ordinal) { ["here"] = ZoneA, ["far"] = ZoneB } };

    private const string Grants = """
        rcontrol.clients {
          runner { sessions = ["*"], operations = [exec] }
        }
        """;

    [Fact]
    public async Task Copies_through_the_front_node_to_and_from_a_session_on_another_node_are_byte_identical_and_need_file_grants()
    {
        using var dir = new TempDir();
        await using var cluster = new InProcessCluster(TwoZones());
        var a = cluster.StartWith(Grants, ZoneA);
        var b = cluster.StartWith(Grants, ZoneB);
        await cluster.UpAsync(2);
        var data = RandomNumberGenerator.GetBytes(FileBytes);
        var source = dir.PathOf("source.bin");
        await File.WriteAllBytesAsync(source, data);

        await using (var client = await RemoteEngine.ConnectAsync(a.Address, cluster.Credentials.ClientConfig()))
        {
            var here = await client.GetSessionAsync("here");
            var far = await client.GetSessionAsync("far");

            // here (on A) → far (on B) → here again: every chunk crosses from A to B and back.
            Assert.Equal(dir.PathOf("on-b.bin"), await here.CopyFileAsync(source, far, dir.PathOf("on-b.bin")));
            await far.CopyFileAsync(dir.PathOf("on-b.bin"), here, dir.PathOf("back.bin"));
            Assert.Equal(data, await File.ReadAllBytesAsync(dir.PathOf("on-b.bin")));
            Assert.Equal(data, await File.ReadAllBytesAsync(dir.PathOf("back.bin")));

            // The other file operations reach B too.
            Assert.Equal(FileBytes, (await far.StatAsync(dir.PathOf("on-b.bin"))).Size);
            await far.MkdirAsync(dir.PathOf("made-on-b"));
            Assert.True(Directory.Exists(dir.PathOf("made-on-b")));
            var missing = await Assert.ThrowsAsync<FileOperationException>(() => far.StatAsync(dir.PathOf("missing")));
            Assert.Equal(FileErrorKind.NotFound, missing.Kind);
        }

        // B hosted it: its shard region holds the entity (A, outside the zone, only has a proxy).
        Assert.Contains("far", await EntitiesAsync(b));

        // A credential without file grants is refused at A's gate, before anything reaches B.
        await using (var runner = await RemoteEngine.ConnectAsync(a.Address, cluster.Credentials.ClientConfig("runner")))
        {
            var far = await runner.GetSessionAsync("far");
            var refused = await Assert.ThrowsAsync<FileOperationException>(() => far.OpenAsync(dir.PathOf("on-b.bin")));
            Assert.Equal(FileErrorKind.PermissionDenied, refused.Kind);
            Assert.Contains("may not file-read on session 'far'", refused.Message);
            var refusedWrite = await Assert.ThrowsAsync<FileOperationException>(() => far.MkdirAsync(dir.PathOf("not-made")));
            Assert.Equal(FileErrorKind.PermissionDenied, refusedWrite.Kind);
            Assert.False(Directory.Exists(dir.PathOf("not-made")));
        }
    }

    [Fact]
    public async Task A_node_lost_during_a_read_fails_the_read_once_naming_the_node()
    {
        using var dir = new TempDir();
        await using var cluster = new InProcessCluster(TwoZones());
        var a = cluster.Start(ZoneA);
        var b = cluster.Start(ZoneB);
        // A third member keeps a's side the majority once b is lost: of two, keep-majority keeps the lower address, and
        // a downed itself about 2 s after the read failed when b's was lower (the stream's close then went unanswered).
        cluster.Start(ZoneA);
        await cluster.UpAsync(3);
        var source = dir.PathOf("big.bin");
        await File.WriteAllBytesAsync(source, RandomNumberGenerator.GetBytes(FileBytes));

        // The client's file ask timeout (twice the ask timeout: 20 s by default) well above a loaded machine's detection.
        var patient = Akka.Configuration.ConfigurationFactory.ParseString("rcontrol.remote.ask-timeout = 30s").WithFallback(cluster.Credentials.ClientConfig());
        await using var client = await RemoteEngine.ConnectAsync(a.Address, patient);
        var far = await client.GetSessionAsync("far");
        await using var stream = await far.OpenAsync(source);
        var buffer = new byte[FileProtocol.ChunkSize];
        Assert.Equal(buffer.Length, await stream.ReadAtLeastAsync(buffer, buffer.Length));

        await b.CrashAsync();
        var started = DateTime.UtcNow;
        var error = await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            while (await stream.ReadAsync(buffer) > 0)
            {
            }
        });
        var failure = error as FileOperationException ?? error.InnerException as FileOperationException;
        Assert.NotNull(failure);
        Assert.Contains($"node lost: {b.Address} (session 'far')", failure.Message);
        // Unreachable is seen after the 6 s heartbeat pause (InProcessCluster's, and the 1 s check): about 8 s quiet; with
        // a 2 s pause a loaded CI machine took 11 s. The message is what tells node lost from the client's file ask
        // timeout (60 s here, a different message); the bound says the read did not wait for anything that long.
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(45), $"the read failed after {DateTime.UtcNow - started}");
    }

    private static async Task<IReadOnlyCollection<string>> EntitiesAsync(InProcessCluster.Node node)
    {
        var region = Akka.Cluster.Sharding.ClusterSharding.Get(node.System).ShardRegion(ClusterZones.TypeName(ZoneB));
        var state = await Akka.Actor.Futures.Ask<Akka.Cluster.Sharding.CurrentShardRegionState>(region, Akka.Cluster.Sharding.GetShardRegionState.Instance, TimeSpan.FromSeconds(10));
        return state.Shards.SelectMany(s => s.EntityIds).ToArray();
    }
}
