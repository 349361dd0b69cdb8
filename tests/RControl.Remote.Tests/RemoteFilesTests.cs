using System.Security.Cryptography;
using RControl.Files;
using RControl.Remote.Tests.Support;

namespace RControl.Remote.Tests;

#pragma warning disable CA1416 // POSIX only, like the engine

/// <summary>File operations and copies on remote sessions: they run on the engine, data crosses Akka.Remote in chunks.</summary>
public sealed class RemoteFilesTests(EngineFixture engine) : IClassFixture<EngineFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rcontrol-remote-files-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public async Task Copies_between_a_client_session_and_a_remote_session_keep_every_byte()
    {
        var remote = await engine.Client.GetSessionAsync("local");
        await using var local = engine.Client.System.CreateLocalSession($"client-{Guid.NewGuid():N}");
        var data = RandomNumberGenerator.GetBytes(1_500_000); // several 256 KiB chunks
        var source = Path.Combine(_dir, "source.bin");
        await File.WriteAllBytesAsync(source, data);

        await local.CopyFileAsync(source, remote, Path.Combine(_dir, "up.bin"));
        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(_dir, "up.bin")));

        await remote.CopyFileAsync(Path.Combine(_dir, "up.bin"), local, Path.Combine(_dir, "down.bin"));
        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(_dir, "down.bin")));

        Directory.CreateDirectory(Path.Combine(_dir, "tree", "sub"));
        await File.WriteAllTextAsync(Path.Combine(_dir, "tree", "sub", "a.txt"), "alpha");
        var task = remote.CopyDir(Path.Combine(_dir, "tree"), local, Path.Combine(_dir, "tree-copy"));
        await task.WaitAsync();
        Assert.Equal("alpha", await File.ReadAllTextAsync(Path.Combine(_dir, "tree-copy", "sub", "a.txt")));
        Assert.Empty(await remote.WaitForTasksAsync());
    }

    [Fact]
    public async Task Every_file_operation_runs_on_the_engine()
    {
        var remote = await engine.Client.GetSessionAsync("local");
        Assert.IsType<RemoteFileSystem>(remote.FileSystem);
        var nested = Path.Combine(_dir, "a", "b");
        await remote.MkdirAsync(nested, parents: true);
        Assert.True(Directory.Exists(nested));
        Assert.True(await remote.IsDirAsync(nested));

        await using (var stream = await remote.OpenAsync(Path.Combine(nested, "f.txt"), FileOpenMode.Write))
        {
            await stream.WriteAsync("hello remote"u8.ToArray());
        }

        await using (var stream = await remote.OpenAsync(Path.Combine(nested, "f.txt")))
        using (var reader = new StreamReader(stream))
        {
            Assert.Equal("hello remote", await reader.ReadToEndAsync());
        }

        var stat = await remote.StatAsync(Path.Combine(nested, "f.txt"));
        Assert.Equal((FileKind.File, 12L), (stat.Kind, stat.Size));
        Assert.Equal(["f.txt"], (await remote.ListDirAsync(nested)).Select(e => e.Name));

        await remote.RenameAsync(Path.Combine(nested, "f.txt"), Path.Combine(nested, "g.txt"));
        await remote.SymlinkAsync("g.txt", Path.Combine(nested, "link"));
        Assert.True(await remote.IsLinkAsync(Path.Combine(nested, "link")));
        Assert.Equal("g.txt", await remote.ReadLinkAsync(Path.Combine(nested, "link")));
        await remote.ChmodAsync(Path.Combine(nested, "g.txt"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(nested, "g.txt")));

        await remote.RemoveAsync(Path.Combine(_dir, "a"), recursive: true);
        Assert.False(Directory.Exists(Path.Combine(_dir, "a")));
        Assert.False(await remote.ExistsAsync(Path.Combine(_dir, "a")));
    }

    [Fact]
    public async Task File_errors_name_the_session_the_path_and_the_kind()
    {
        var remote = await engine.Client.GetSessionAsync("tmp");
        var missing = Path.Combine(_dir, "missing");
        var error = await Assert.ThrowsAsync<FileOperationException>(() => remote.StatAsync(missing));
        Assert.Equal(FileErrorKind.NotFound, error.Kind);
        Assert.StartsWith($"[tmp] stat '{missing}'", error.Message);

        var open = await Assert.ThrowsAsync<FileOperationException>(() => remote.OpenAsync(missing));
        Assert.Equal(FileErrorKind.NotFound, open.Kind);
        await remote.MkdirAsync(Path.Combine(_dir, "x"));
        var exists = await Assert.ThrowsAsync<FileOperationException>(() => remote.MkdirAsync(Path.Combine(_dir, "x")));
        Assert.Equal(FileErrorKind.AlreadyExists, exists.Kind);
    }

    [Fact]
    public async Task Files_left_open_by_a_client_are_closed_after_the_idle_timeout()
    {
        var system = EngineFixture.StartEngineSystem("rcontrol.remote.file-idle-timeout = 1s\nrcontrol.sessions { local { type = local } }", engine.Credentials);
        try
        {
            await using var client = await RemoteEngine.ConnectAsync(((Akka.Actor.ExtendedActorSystem)system).Provider.DefaultAddress.ToString(), engine.Credentials.ClientConfig());
            var remote = await client.GetSessionAsync("local");
            var path = Path.Combine(_dir, "idle.txt");
            await File.WriteAllTextAsync(path, "abc");
            var stream = await remote.OpenAsync(path);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            FileOperationException? closed = null;
            var gap = TimeSpan.FromMilliseconds(200);
            while (closed is null && DateTime.UtcNow < deadline)
            {
                // Each read uses the file; growing gaps let one exceed the idle timeout.
                await Task.Delay(gap);
                gap *= 2;
                closed = await Record.ExceptionAsync(() => stream.ReadAsync(new byte[1]).AsTask()) as FileOperationException;
            }

            Assert.NotNull(closed);
            Assert.Contains("the file is not open", closed!.Message);
        }
        finally
        {
            await system.Terminate();
        }
    }
}
