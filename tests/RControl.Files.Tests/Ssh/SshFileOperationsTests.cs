using RControl.Files.Tests.Contracts;
using RControl.Files.Tests.Support;
using RControl.TestSupport;

namespace RControl.Files.Tests.Ssh;

/// <summary>Every file operation on an SSH session (SFTP against a real sshd).</summary>
public sealed class SshFileOperationsTests(SshdFixture sshd) : FileOperationsContract, IClassFixture<SshdFixture>
{
    protected override Task<Session> CreateSessionAsync() => Task.FromResult(SshSessions.Create(Rc, "ssh-host", sshd.Server));
}
