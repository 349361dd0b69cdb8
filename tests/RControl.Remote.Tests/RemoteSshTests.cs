using RControl.Protocol;
using RControl.Remote.Tests.Support;
using RControl.TestSupport;

namespace RControl.Remote.Tests;

/// <summary>An SSH session opened on the engine by a remote client (real sshd on loopback): commands, kill, copies.</summary>
public sealed class RemoteSshTests(EngineFixture engine, SshdFixture sshd) : IClassFixture<EngineFixture>, IClassFixture<SshdFixture>
{
    [Fact]
    public async Task Remote_client_opens_an_ssh_session_on_the_engine_runs_kills_and_copies()
    {
        var spec = sshd.Server.Spec();
        if (sshd.Server.User.Password is { } password)
        {
            // The password crosses the wire to the engine (which needs it) and authenticates there.
            spec = spec with { IdentityFiles = [], Password = password };
        }

        var name = $"ssh-{Guid.NewGuid():N}";
        var session = await engine.Client.OpenSessionAsync(name, spec);
        try
        {
            var again = await engine.Client.GetSessionAsync(name);
            Assert.Null(((SshSessionSpec)again.Spec).Password); // never sent back to clients

            var lines = new List<string>();
            Assert.Equal(0, await session.Execute("whoami; echo $((6 * 7))", new CommandOptions { OnStdout = (_, l) => lines.Add(l) }).WaitAsync());
            Assert.Equal([sshd.Server.User.Name, "42"], lines);

            // The kill is checked on the host: sshd's child for the test user is gone, not only the task.
            var marker = new SleepMarker();
            var started = new TaskCompletionSource();
            var sleeper = session.Execute($"echo up; {marker.Command}", new CommandOptions { OnStdout = (_, _) => started.TrySetResult() });
            await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await marker.WaitSleepingAsync(1, TimeSpan.FromSeconds(10));
            await sleeper.KillAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.IsType<TaskCancelledException>(sleeper.Error);
            await marker.WaitGoneAsync(TimeSpan.FromSeconds(10));

            using var dir = new TempDir();
            var source = Path.Combine(dir.Path, "payload.txt");
            await File.WriteAllTextAsync(source, "through the engine over sftp\n");
            var remotePath = $"/tmp/rcontrol-remote-{Guid.NewGuid():N}.txt";
            await using var local = engine.Client.System.CreateLocalSession($"client-{Guid.NewGuid():N}");
            await local.CopyFileAsync(source, session, remotePath);
            var copied = new List<string>();
            await session.Execute($"cat {remotePath}; rm {remotePath}", new CommandOptions { OnStdout = (_, l) => copied.Add(l) }).WaitAsync();
            Assert.Equal(["through the engine over sftp"], copied);
        }
        finally
        {
            await engine.Client.CloseSessionAsync(name);
        }
    }
}
