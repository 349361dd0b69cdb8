using RControl.Files.Tests.Contracts;
using RControl.Files.Tests.Support;
using RControl.TestSupport;

namespace RControl.Files.Tests.Ssh;

/// <summary><see cref="CopyOptions.Resume"/> after a cut connection and <see cref="CopyOptions.Checksum"/>, over a real sshd.</summary>
public sealed class ResumeAndChecksumTests(SshdFixture sshd) : SessionTestBase, IClassFixture<SshdFixture>
{
    private const long Size = 16L * 1024 * 1024;

    [Fact]
    public async Task A_copy_to_ssh_cut_midway_resumes_from_the_partial_file_and_ends_byte_identical()
    {
        await using var proxy = TcpProxy.Start(sshd.Server.Port);
        var local = Track(Rc.CreateLocalSession("laptop"));
        var remote = Track(SshSessions.Create(Rc, "flaky", sshd.Server, proxy.Port));

        await CutThenResumeAsync(local, remote, proxy);
    }

    [Fact]
    public async Task A_copy_from_ssh_cut_midway_resumes_from_the_partial_file_and_ends_byte_identical()
    {
        await using var proxy = TcpProxy.Start(sshd.Server.Port);
        var remote = Track(SshSessions.Create(Rc, "flaky", sshd.Server, proxy.Port));
        var local = Track(Rc.CreateLocalSession("laptop"));

        await CutThenResumeAsync(remote, local, proxy);
    }

    [Fact]
    public async Task A_partial_file_older_than_the_source_is_copied_again_from_the_start()
    {
        var local = Track(Rc.CreateLocalSession("laptop"));
        var remote = Track(SshSessions.Create(Rc, "web1", sshd.Server));
        TestTree.WriteLarge(P("big.bin"), 1024 * 1024);
        await File.WriteAllTextAsync(P(".copy.bin.rcontrol-partial"), "stale bytes that are not the source's");
        File.SetLastWriteTimeUtc(P(".copy.bin.rcontrol-partial"), DateTime.UtcNow.AddHours(-1));
        long moved = 0;

        await remote.CopyFileAsync(P("big.bin"), local, P("copy.bin"), CopyOptions.Default with { Resume = true, OnProgress = p => moved = p.TotalBytesCopied });

        Assert.Equal(TestTree.Sha256(P("big.bin")), TestTree.Sha256(P("copy.bin")));
        Assert.Equal(1024 * 1024, moved);
        Assert.Equal(new[] { "big.bin", "copy.bin" }, WorkEntries());
    }

    [Fact]
    public async Task A_tree_copy_resumes_into_its_kept_partial_tree_copying_only_what_is_missing()
    {
        var remote = Track(SshSessions.Create(Rc, "web1", sshd.Server));
        var local = Track(Rc.CreateLocalSession("laptop"));
        TestTree.Create(P("src"));
        // What a cut tree copy kept: everything (times kept by cp -a), the large file only half written.
        var copy = System.Diagnostics.Process.Start("cp", ["-a", P("src"), P(".dst.rcontrol-partial")])!;
        await copy.WaitForExitAsync();
        Assert.Equal(0, copy.ExitCode);
        var blob = new FileInfo(P("src/a/b/blob.bin")).Length;
        using (var half = new FileStream(P(".dst.rcontrol-partial/a/b/blob.bin"), FileMode.Open))
        {
            half.SetLength(512 * 1024);
        }

        File.SetLastWriteTimeUtc(P(".dst.rcontrol-partial/a/b/blob.bin"), DateTime.UtcNow);
        long moved = -1;

        await remote.CopyDirAsync(P("src"), local, P("dst"), CopyOptions.Default with { Resume = true, OnProgress = p => moved = p.TotalBytesCopied });

        Assert.Equal(TestTree.Snapshot(P("src")), TestTree.Snapshot(P("dst")));
        Assert.Equal(blob - (512 * 1024), moved);
        Assert.Equal(new[] { "dst", "src" }, WorkEntries());
    }

    [Fact]
    public async Task A_source_changed_during_a_checked_copy_is_a_checksum_mismatch_naming_the_file()
    {
        var local = Track(Rc.CreateLocalSession("laptop"));
        var remote = Track(SshSessions.Create(Rc, "web1", sshd.Server));
        TestTree.WriteLarge(P("big.bin"), 4 * 1024 * 1024);
        var changed = 0;
        var options = CopyOptions.Default with
        {
            Checksum = true,
            OnProgress = _ =>
            {
                if (Interlocked.Exchange(ref changed, 1) == 0)
                {
                    // The first chunk is written already: change its first byte in the source, keep the size.
                    using var source = new FileStream(P("big.bin"), FileMode.Open, FileAccess.ReadWrite);
                    var first = source.ReadByte();
                    source.Position = 0;
                    source.WriteByte((byte)~first);
                }
            },
        };

        var e = await Assert.ThrowsAsync<FileOperationException>(() => local.CopyFileAsync(P("big.bin"), remote, P("copy.bin"), options));

        Assert.Equal(FileErrorKind.ChecksumMismatch, e.Kind);
        Assert.Equal("web1", e.SessionName);
        Assert.Equal(P("copy.bin"), e.Path);
        Assert.Contains("checksum mismatch", e.Message);
        Assert.Contains("laptop:" + P("big.bin"), e.Message);
        Assert.Equal(new[] { "big.bin" }, WorkEntries());
    }

    [Fact]
    public async Task A_checked_tree_copy_from_ssh_verifies_every_file_and_copies_exactly()
    {
        var remote = Track(SshSessions.Create(Rc, "web1", sshd.Server));
        var local = Track(Rc.CreateLocalSession("laptop"));
        TestTree.Create(P("src"));

        await remote.CopyDirAsync(P("src"), local, P("dst"), CopyOptions.Default with { Checksum = true });

        Assert.Equal(TestTree.Snapshot(P("src")), TestTree.Snapshot(P("dst")));
        Assert.Equal(TestTree.Sha256(P("src/a/b/blob.bin")).ToLowerInvariant(), await remote.FileSystem.Sha256Async(P("src/a/b/blob.bin"), CancellationToken.None));
    }

    private async Task CutThenResumeAsync(Session source, Session destination, TcpProxy proxy)
    {
        TestTree.WriteLarge(P("big.bin"), Size);
        var cut = 0;
        var cutting = CopyOptions.Default with
        {
            Resume = true,
            OnProgress = p =>
            {
                if (p.TotalBytesCopied >= Size / 2 && Interlocked.Exchange(ref cut, 1) == 0)
                {
                    proxy.CutAll();
                }
            },
        };

        await Assert.ThrowsAsync<FileOperationException>(() => source.CopyFileAsync(P("big.bin"), destination, P("copy.bin"), cutting));

        var partial = new FileInfo(P(".copy.bin.rcontrol-partial"));
        Assert.True(partial.Exists, "the partial copy is kept");
        Assert.InRange(partial.Length, 1, Size - 1);
        Assert.False(File.Exists(P("copy.bin")));

        long moved = -1;
        var resuming = CopyOptions.Default with { Resume = true, Checksum = true, OnProgress = p => moved = p.TotalBytesCopied };
        Assert.Equal(P("copy.bin"), await source.CopyFileAsync(P("big.bin"), destination, P("copy.bin"), resuming));

        Assert.Equal(TestTree.Sha256(P("big.bin")), TestTree.Sha256(P("copy.bin")));
        Assert.Equal(Size - partial.Length, moved);
        Assert.Equal(new[] { "big.bin", "copy.bin" }, WorkEntries());
    }

    private string[] WorkEntries() => Directory.EnumerateFileSystemEntries(Work.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
}
