using RControl.Remote.Tests.Support;
using RControl.TestSupport;

namespace RControl.Remote.Tests;

/// <summary>
/// Credentials minted and revoked while the real daemon runs: a new one works at once (no restart), a revoked one is
/// logged out within seconds — its running command leaves the host — and can no longer log in.
/// </summary>
public sealed class CredentialRevocationTests
{
    private const string Config = """
        akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = {port} }
        rcontrol.sessions { local { type = local, working-directory = "/tmp" } }
        """;

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_credential_issued_to_a_running_daemon_works_at_once_and_revoking_it_logs_it_out_and_kills_its_commands()
    {
        await using var daemon = await DaemonProcess.StartReadyAsync(Config);
        var config = Path.Combine(daemon.Directory, "daemon.conf");
        var file = Path.Combine(daemon.Directory, "ops.pfx");
        var marker = new SleepMarker();
        try
        {
            var issued = await Credentials("issue", "ops", "--sessions", "local", "--ops", "exec", "--config", config, "--out", file);
            Assert.Contains("applies them within a second", issued);

            // No restart: the running daemon knows the new identity and its grants.
            await using var client = await RemoteEngine.ConnectAsync(daemon.Address, TestCredentials.ForFile(file));
            Assert.Equal("ops", client.Identity);
            var session = await client.GetSessionAsync("local");
            Assert.Equal(0, await session.Execute("true").WaitAsync().WaitAsync(Bound));
            var running = session.Execute(marker.Command);
            await marker.WaitSleepingAsync(1, Bound);

            await Credentials("revoke", "ops", "--config", config);

            // Logged out at once: the command leaves the host, the task ends, the audit names it.
            await marker.WaitGoneAsync(Bound);
            await Assert.ThrowsAnyAsync<Exception>(() => running.WaitAsync().WaitAsync(Bound));
            await daemon.WaitForOutputAsync("the credential was revoked: logged out", Bound);

            // And it cannot log in again; the list says so; the name cannot be reused.
            var again = await ClientProcess.RunAsync("rcontrol.dll", ["exec", "--daemon", daemon.Address, "--credential", file, "-t", "local", "--", "true"]);
            Assert.NotEqual(0, again.ExitCode);
            Assert.Contains("the credential 'ops' was revoked", again.Stderr + again.Stdout);
            var list = await Credentials("list", "--config", config);
            Assert.Contains("ops\trevoked", list);
            Assert.Contains("admin\tactive", list);
            var reuse = await ClientProcess.RunAsync("rcontrol.dll", ["daemon", "credentials", "issue", "ops", "--config", config, "--out", file + ".2"]);
            Assert.Equal(2, reuse.ExitCode);
            Assert.Contains("'ops' was revoked: choose another name", reuse.Stderr);

            // The daemon's own admin is untouched.
            var admin = await ClientProcess.RunAsync("rcontrol.dll", ["exec", "--daemon", daemon.Address, "--credential", daemon.AdminCredential, "-t", "local", "--", "echo admin-ok"]);
            Assert.True(admin.ExitCode == 0, admin.Stderr);
        }
        finally
        {
            await marker.KillLeftAsync();
        }
    }

    [Fact]
    public async Task Revoking_a_name_that_was_never_issued_is_refused_naming_it()
    {
        await using var daemon = await DaemonProcess.StartReadyAsync(Config);
        var result = await ClientProcess.RunAsync("rcontrol.dll", ["daemon", "credentials", "revoke", "opps", "--config", Path.Combine(daemon.Directory, "daemon.conf")]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no credential 'opps' was issued by this daemon", result.Stderr);
    }

    private static async Task<string> Credentials(params string[] args)
    {
        var result = await ClientProcess.RunAsync("rcontrol.dll", ["daemon", "credentials", .. args]);
        Assert.True(result.ExitCode == 0, $"credentials {string.Join(' ', args)}: exit {result.ExitCode}\n{result.Stdout}\n{result.Stderr}");
        return result.Stdout;
    }
}
