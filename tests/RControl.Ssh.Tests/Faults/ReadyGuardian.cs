using Renci.SshNet;
using RControl.TestSupport;
using RControl.Transports.Ssh;

namespace RControl.Ssh.Tests.Faults;

/// <summary>A connection's guardian started by hand and waited for until its private directory exists.</summary>
internal static class ReadyGuardian
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    public static async Task<SshGuardian> StartAsync(SshClient client)
    {
        var guardian = await SshGuardian.StartAsync(client);
        await Poll.UntilAsync(() => guardian.Directory is not null, Bound, "the guardian's directory");
        Assert.True(Directory.Exists(guardian.Directory));
        return guardian;
    }
}
