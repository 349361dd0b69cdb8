using RControl.Protocol;
using RControl.TestSupport;

namespace RControl.Ssh.Tests.Faults;

/// <summary>
/// A command that cannot start because of an SSH failure ends once, with an immutable <see cref="CommandResult"/>
/// whose error carries the typed cause: <c>WaitAsync</c> throws a <see cref="TaskException"/> whose inner exception is
/// the <see cref="SshAuthenticationFailedException"/> or <see cref="HostKeyVerificationException"/> itself.
/// </summary>
public sealed class TypedCauseTests(SshdFixture sshd) : IClassFixture<SshdFixture>
{
    private SshServer Server => sshd.Server;

    [Fact]
    public async Task An_authentication_failure_reaches_WaitAsync_as_its_type()
    {
        var stranger = await Server.CreateUnauthorizedKeyAsync();
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("stranger", Server.Spec() with { IdentityFiles = [stranger.PrivateKeyFile] });
        var task = session.Execute("true");

        var error = await Assert.ThrowsAsync<TaskException>(() => task.WaitAsync());
        var cause = Assert.IsType<SshAuthenticationFailedException>(error.InnerException);
        Assert.Equal(SshAuthenticationFailure.Rejected, cause.Failure);

        var result = Assert.IsType<CommandResult>(task.Result);
        Assert.Equal(CommandEnd.Failed, result.Outcome);
        Assert.Same(error, result.Error);
        Assert.Null(result.ExitCode);
        Assert.True(result.EndedAt >= result.StartedAt);
        Assert.Equal(result.EndedAt, task.EndedAt);
    }

    [Fact]
    public async Task An_unknown_host_key_reaches_WaitAsync_as_its_type()
    {
        using var dir = new TempDir();
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("unknown-key", Server.Spec() with { KnownHostsFile = dir.PathOf("absent") });

        var error = await Assert.ThrowsAsync<TaskException>(() => session.Execute("true").WaitAsync());
        Assert.IsType<HostKeyVerificationException>(error.InnerException);
    }
}
