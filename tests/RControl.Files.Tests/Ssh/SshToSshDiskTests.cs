using RControl.Files.Tests.Support;
using RControl.TestSupport;

namespace RControl.Files.Tests.Ssh;

/// <summary>Runs alone (no other test class writes files meanwhile), so this process's disk writes can be counted.</summary>
[CollectionDefinition(nameof(DiskAccountingCollection), DisableParallelization = true)]
public sealed class DiskAccountingCollection
{
}

/// <summary>An SSH → SSH copy streams through this process's memory and never writes to its local disk.</summary>
[Collection(nameof(DiskAccountingCollection))]
public sealed class SshToSshDiskTests(TwoSshdFixture servers) : IClassFixture<TwoSshdFixture>, IAsyncLifetime
{
    private const long Size = 64L * 1024 * 1024;
    private readonly RControlSystem _rc = RControlSystem.Create();
    private readonly TempDir _work = TestTree.OpenTempDir();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _rc.DisposeAsync();
        _work.Dispose();
    }

    [Fact]
    public async Task A_64_MiB_copy_between_two_hosts_writes_nothing_to_the_local_disk()
    {
        var web1 = SshSessions.Create(_rc, "web1", servers.First);
        var web2 = SshSessions.Create(_rc, "web2", servers.Second);
        var source = _work.PathOf("big.bin");
        var destination = _work.PathOf("copy.bin");
        TestTree.WriteLarge(source, Size, seed: 3); // written by this process before counting starts
        await web1.ExistsAsync(source); // both SFTP connections open before counting
        await web2.ExistsAsync(_work.Path);

        var before = WriteBytes();
        await web1.CopyFileAsync(source, web2, destination);
        var written = WriteBytes() - before;

        // The destination file is written by the second host's sftp-server, not by this process.
        Assert.True(written < 4 * 1024 * 1024, $"this process wrote {written} bytes to storage while copying {Size}");
        Assert.Equal(TestTree.Sha256(source), TestTree.Sha256(destination));
        await web1.CloseAsync();
        await web2.CloseAsync();
    }

    /// <summary>Bytes this process caused to be written to storage (Linux task I/O accounting).</summary>
    private static long WriteBytes()
    {
        var line = File.ReadLines("/proc/self/io").First(l => l.StartsWith("write_bytes:", StringComparison.Ordinal));
        return long.Parse(line["write_bytes:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
