using RControl.Files.Tests.Contracts;
using RControl.Files.Tests.Support;
using RControl.TestSupport;
using static RControl.Files.Tests.Ssh.CopyCuts;

namespace RControl.Files.Tests.Ssh;

/// <summary>Local → SSH copies.</summary>
public sealed class LocalToSshCopyTests(SshdFixture sshd) : CopyContract, IClassFixture<SshdFixture>
{
    protected override Task<Session> CreateSourceAsync() => Task.FromResult<Session>(Rc.CreateLocalSession("laptop"));

    protected override Task<Session> CreateDestinationAsync() => Task.FromResult(SshSessions.Create(Rc, "web1", sshd.Server));

    [Fact]
    public async Task Permission_denied_on_the_destination_names_it()
    {
        TestTree.Create(P("src"));
        var target = "/root/rcontrol-denied-" + Guid.NewGuid().ToString("N");

        var file = await Assert.ThrowsAsync<FileOperationException>(() => Src.CopyFileAsync(P("src/run.sh"), Dst, target));
        Assert.Equal(FileErrorKind.PermissionDenied, file.Kind);
        Assert.Equal("web1", file.SessionName);
        Assert.Contains("/root/", file.Message);

        var dir = await Assert.ThrowsAsync<FileOperationException>(() => Src.CopyDirAsync(P("src"), Dst, target));
        Assert.Equal(FileErrorKind.PermissionDenied, dir.Kind);
        Assert.False(Directory.Exists(target));
    }

    [Fact]
    public async Task A_connection_lost_midway_fails_the_copy_once_and_leaves_nothing()
    {
        await using var proxy = TcpProxy.Start(sshd.Server.Port);
        var destination = Track(SshSessions.Create(Rc, "flaky", sshd.Server, proxy.Port));
        TestTree.WriteLarge(P("big.bin"), 8 * 1024 * 1024);
        var cut = 0;
        var options = CopyOptions.Default with
        {
            OnProgress = p =>
            {
                if (p.TotalBytesCopied >= 1024 * 1024 && Interlocked.Exchange(ref cut, 1) == 0)
                {
                    proxy.CutAll();
                }
            },
        };

        var task = Src.CopyFile(P("big.bin"), destination, P("copy.bin"), options);
        var errors = await Assert.ThrowsAsync<TaskErrorsException>(() => Src.WaitForTasksAsync());

        var error = Assert.Single(errors.Errors);
        Assert.Same(task.Error, error);
        Assert.Contains("[flaky]", error.Message);
        Assert.Contains(P("copy.bin"), error.Message);
        Assert.DoesNotContain(".rcontrol-", error.Message);
        Assert.Equal(FileErrorKind.Failure, Assert.IsType<FileOperationException>(error.InnerException).Kind);
        Assert.Empty(await Src.WaitForTasksAsync());
        // The temporary file is removed over a new connection: nothing but the source is left.
        await Poll.UntilAsync(() => WorkEntries().SequenceEqual(new[] { "big.bin" }), TimeSpan.FromSeconds(20), "the temporary file to be removed");

        // The session reconnects for the next operation.
        Assert.Equal(P("again.bin"), await Src.CopyFileAsync(P("big.bin"), destination, P("again.bin")));
        Assert.Equal(TestTree.Sha256(P("big.bin")), TestTree.Sha256(P("again.bin")));
    }
}

/// <summary>Helpers shared by the SSH copy tests.</summary>
internal static class CopyCuts
{
    /// <summary>A progress callback that cuts every connection through <paramref name="proxy"/> once 1 MiB is copied.</summary>
    public static Action<CopyProgress> CutOnce(TcpProxy proxy)
    {
        var cut = 0;
        return p =>
        {
            if (p.TotalBytesCopied >= 1024 * 1024 && Interlocked.Exchange(ref cut, 1) == 0)
            {
                proxy.CutAll();
            }
        };
    }
}

/// <summary>SSH → local copies.</summary>
public sealed class SshToLocalCopyTests(SshdFixture sshd) : CopyContract, IClassFixture<SshdFixture>
{
    protected override Task<Session> CreateSourceAsync() => Task.FromResult(SshSessions.Create(Rc, "web1", sshd.Server));

    protected override Task<Session> CreateDestinationAsync() => Task.FromResult<Session>(Rc.CreateLocalSession("laptop"));

    [Fact]
    public async Task A_source_connection_lost_midway_fails_the_copy_and_leaves_nothing()
    {
        await using var proxy = TcpProxy.Start(sshd.Server.Port);
        var source = Track(SshSessions.Create(Rc, "flaky", sshd.Server, proxy.Port));
        TestTree.WriteLarge(P("big.bin"), 16 * 1024 * 1024);
        var options = CopyOptions.Default with { OnProgress = CutOnce(proxy) };

        var e = await Assert.ThrowsAsync<FileOperationException>(() => source.CopyFileAsync(P("big.bin"), Dst, P("copy.bin"), options));

        Assert.Equal("flaky", e.SessionName);
        Assert.Equal(FileErrorKind.Failure, e.Kind);
        Assert.Equal(new[] { "big.bin" }, WorkEntries());
        Assert.Equal(P("again.bin"), await source.CopyFileAsync(P("big.bin"), Dst, P("again.bin")));
        Assert.Equal(TestTree.Sha256(P("big.bin")), TestTree.Sha256(P("again.bin")));
    }

    [Fact]
    public async Task Permission_denied_on_the_source_names_it()
    {
        var e = await Assert.ThrowsAsync<FileOperationException>(() => Src.CopyFileAsync("/etc/shadow", Dst, P("shadow")));
        Assert.Equal(FileErrorKind.PermissionDenied, e.Kind);
        Assert.Equal("web1", e.SessionName);
        Assert.Contains("/etc/shadow", e.Message);
        Assert.Empty(WorkEntries());
    }
}

/// <summary>SSH → SSH copies between two sshd instances: data flows from one SFTP stream to the other through memory.</summary>
public sealed class SshToSshCopyTests(TwoSshdFixture servers) : CopyContract, IClassFixture<TwoSshdFixture>
{
    protected override Task<Session> CreateSourceAsync() => Task.FromResult(SshSessions.Create(Rc, "web1", servers.First));

    protected override Task<Session> CreateDestinationAsync() => Task.FromResult(SshSessions.Create(Rc, "web2", servers.Second));

    [Fact]
    public async Task A_destination_connection_lost_midway_fails_the_copy_and_leaves_nothing()
    {
        await using var proxy = TcpProxy.Start(servers.Second.Port);
        var destination = Track(SshSessions.Create(Rc, "flaky", servers.Second, proxy.Port));
        TestTree.WriteLarge(P("big.bin"), 16 * 1024 * 1024);
        var options = CopyOptions.Default with { OnProgress = CutOnce(proxy) };

        var e = await Assert.ThrowsAsync<FileOperationException>(() => Src.CopyFileAsync(P("big.bin"), destination, P("copy.bin"), options));

        Assert.Equal("flaky", e.SessionName);
        Assert.Equal(FileErrorKind.Failure, e.Kind);
        Assert.Equal(P("copy.bin"), e.Path);
        // The temporary file is removed over a new connection: nothing but the source is left.
        await Poll.UntilAsync(() => WorkEntries().SequenceEqual(new[] { "big.bin" }), TimeSpan.FromSeconds(20), "the temporary file to be removed");
    }

    [Fact]
    public async Task Both_ends_are_sftp_streams_never_the_local_disk()
    {
        TestTree.Write(P("f"), "via memory", TestTree.Plain);
        await Src.CopyFileAsync(P("f"), Dst, P("g"));
        Assert.IsType<Transports.Files.SftpFileSystem>(Src.FileSystem);
        Assert.IsType<Transports.Files.SftpFileSystem>(Dst.FileSystem);
        Assert.Equal("via memory", await File.ReadAllTextAsync(P("g")));
    }
}
