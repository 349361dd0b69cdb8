using RControl.Files.Tests.Contracts;
using RControl.Files.Tests.Support;
using RControl.TestSupport;
using RControl.Transports.Files;

namespace RControl.Files.Tests.Ssh;

/// <summary>Every file operation on an SSH session (SFTP against a real sshd).</summary>
public sealed class SshFileOperationsTests(SshdFixture sshd) : FileOperationsContract, IClassFixture<SshdFixture>
{
    protected override Task<Session> CreateSessionAsync() => Task.FromResult(SshSessions.Create(Rc, "ssh-host", sshd.Server));

    [Fact]
    public async Task Files_of_an_ssh_session_go_over_sftp_as_the_ssh_user()
    {
        await using (var stream = await S.OpenAsync(P("mine"), FileOpenMode.Write))
        {
            stream.WriteByte(1);
        }

        Assert.IsType<SftpFileSystem>(S.FileSystem);
        Assert.True(File.Exists(P("mine")));
        var (_, stdout) = await RunAsync("stat", "-c", "%U", P("mine"));
        Assert.Equal(sshd.Server.User.Name, stdout.Trim());
    }

    [Fact]
    public async Task An_unreachable_host_fails_file_operations_naming_the_session()
    {
        var spec = sshd.Server.Spec() with { Port = FreePort.Get(), ConnectTimeout = TimeSpan.FromSeconds(5) };
        var session = Track(Rc.CreateSession("nowhere", spec));

        var e = await Assert.ThrowsAsync<FileOperationException>(() => session.StatAsync("/tmp"));
        Assert.Equal("nowhere", e.SessionName);
        Assert.Contains("[nowhere]", e.Message);
        Assert.Contains("/tmp", e.Message);
        Assert.NotNull(e.InnerException);
    }

    private static async Task<(int Code, string Stdout)> RunAsync(string file, params string[] args)
    {
        var info = new System.Diagnostics.ProcessStartInfo(file) { RedirectStandardOutput = true };
        args.ToList().ForEach(info.ArgumentList.Add);
        using var process = System.Diagnostics.Process.Start(info)!;
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, stdout);
    }
}
