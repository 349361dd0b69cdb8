using System.Text;
using RControl.Files;
using RControl.Protocol;
using RControl.Remote;
using RControl.TestSupport;

namespace RControl.Tests.Core;

/// <summary>
/// An engine started by <see cref="RControlSystem.Create(Akka.Configuration.Config?, string)"/> starts the same way as a
/// hosted one: its named sessions reached through <see cref="RemoteEngine.ForEngine"/> have working file calls.
/// </summary>
public sealed class EngineFilesTests
{
    [Fact]
    public async Task File_calls_through_ForEngine_reach_a_local_session_of_a_created_engine()
    {
        using var dir = new TempDir();
        await using var rc = RControlSystem.Create();
        var engine = RemoteEngine.ForEngine(rc);
        var session = await engine.OpenSessionAsync("disk", new LocalSessionSpec());

        await RoundTripAsync(session, dir.Path);
        Assert.Equal("written through the engine\n", await File.ReadAllTextAsync(Path.Combine(dir.Path, "sub", "note.txt")));
    }

    [Fact]
    public async Task File_calls_through_ForEngine_reach_an_ssh_session_of_a_created_engine()
    {
        await using var sshd = await SshServer.StartAsync();
        using var dir = new TempDir();
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(dir.Path, (UnixFileMode)0b111_111_111); // the sshd test user writes here
        }
        await using var rc = RControlSystem.Create();
        var engine = RemoteEngine.ForEngine(rc);
        var session = await engine.OpenSessionAsync("web1", sshd.Spec());

        await RoundTripAsync(session, dir.Path);
        Assert.Equal("written through the engine\n", await File.ReadAllTextAsync(Path.Combine(dir.Path, "sub", "note.txt")));
    }

    private static async Task RoundTripAsync(Session session, string root)
    {
        var sub = $"{root}/sub";
        await session.MkdirAsync(sub);
        await using (var write = await session.OpenAsync($"{sub}/note.txt", FileOpenMode.Write))
        {
            await write.WriteAsync(Encoding.UTF8.GetBytes("written through the engine\n"));
        }

        Assert.Equal(27, (await session.StatAsync($"{sub}/note.txt")).Size);
        Assert.Equal(["note.txt"], (await session.ListDirAsync(sub)).Select(e => e.Name));
        await using var read = await session.OpenAsync($"{sub}/note.txt");
        using var reader = new StreamReader(read);
        Assert.Equal("written through the engine\n", await reader.ReadToEndAsync());
    }
}
