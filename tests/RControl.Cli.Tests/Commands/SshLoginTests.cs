using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using RControl.Cli.Tests.Support;
using RControl.TestSupport;

namespace RControl.Cli.Tests.Commands;

/// <summary>Logging in as ssh users do: ssh-agent, passphrases from the environment or a terminal, -l, and unreachable hosts.</summary>
public sealed class SshLoginTests : IClassFixture<SshdFixture>
{
    private readonly SshServer _sshd;

    public SshLoginTests(SshdFixture fixture)
    {
        _sshd = fixture.Server;
    }

    private string HostPort => $"{_sshd.Host}:{_sshd.Port}";

    private string[] HostOptions => ["--known-hosts", _sshd.KnownHostsFile, "--ssh-config", _sshd.SshConfigFile];

    [Fact]
    public async Task An_ssh_agent_holding_a_passphrase_protected_key_logs_in()
    {
        var passphrase = "agent-" + Guid.NewGuid().ToString("N");
        var key = await _sshd.AddClientKeyAsync("ed25519", passphrase);
        using var dir = new Support.TempDir();
        var socket = Path.Combine(dir.Path, "agent.sock");
        using var agent = Process.Start(new ProcessStartInfo("ssh-agent", ["-D", "-a", socket]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        try
        {
            await Poll.UntilAsync(() => File.Exists(socket), TimeSpan.FromSeconds(10), "ssh-agent socket");
            var askpass = dir.Write("askpass.sh", $"#!/bin/sh\necho '{passphrase}'\n");
            Assert.Equal(0, (await CliProcess.RunProcessAsync(new ProcessStartInfo("chmod", ["700", askpass]) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true })).ExitCode);
            var add = new ProcessStartInfo("ssh-add", [key.PrivateKeyFile]) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
            add.Environment["SSH_AUTH_SOCK"] = socket;
            add.Environment["SSH_ASKPASS"] = askpass;
            add.Environment["SSH_ASKPASS_REQUIRE"] = "force";
            add.Environment["DISPLAY"] = ":0";
            var added = await CliProcess.RunProcessAsync(add);
            Assert.True(added.ExitCode == 0, added.ToString());

            // No identity file given, the key on disk is encrypted: only the agent can sign.
            var r = await CliProcess.RunWithEnvironmentAsync(
                new Dictionary<string, string?> { ["SSH_AUTH_SOCK"] = socket, ["RCONTROL_PASSPHRASE"] = null },
                ["exec", "-t", HostPort, "-l", _sshd.User.Name, .. HostOptions, "--", "echo agent login as $(whoami)"]);
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal($"{HostPort}: agent login as {_sshd.User.Name}", r.StdoutLines[0]);
        }
        finally
        {
            agent.Kill();
            await agent.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task A_passphrase_comes_from_the_named_variable_or_RCONTROL_PASSPHRASE()
    {
        var passphrase = "env-" + Guid.NewGuid().ToString("N");
        var key = await _sshd.AddClientKeyAsync("ed25519", passphrase);
        string[] args = ["exec", "-t", $"{_sshd.User.Name}@{HostPort}", "--identity", key.PrivateKeyFile, .. HostOptions, "--json"];

        var without = await CliProcess.RunWithEnvironmentAsync(new Dictionary<string, string?> { ["SSH_AUTH_SOCK"] = null, ["RCONTROL_PASSPHRASE"] = null }, [.. args, "--", "true"]);
        Assert.True(without.ExitCode == 1, without.ToString());
        Assert.Contains("is encrypted", without.Stdout);

        var named = await CliProcess.RunWithEnvironmentAsync(
            new Dictionary<string, string?> { ["SSH_AUTH_SOCK"] = null, ["MY_KEY_PASS"] = passphrase },
            [.. args, "--passphrase-env", "MY_KEY_PASS", "--", "echo named"]);
        Assert.True(named.ExitCode == 0, named.ToString());
        Assert.DoesNotContain(passphrase, named.Stdout + named.Stderr);

        var fromDefault = await CliProcess.RunWithEnvironmentAsync(
            new Dictionary<string, string?> { ["SSH_AUTH_SOCK"] = null, ["RCONTROL_PASSPHRASE"] = passphrase },
            [.. args, "--", "echo default"]);
        Assert.True(fromDefault.ExitCode == 0, fromDefault.ToString());
    }

    [Fact]
    public async Task Ask_passphrase_prompts_on_the_terminal_without_echo()
    {
        var passphrase = "tty-" + Guid.NewGuid().ToString("N");
        var key = await _sshd.AddClientKeyAsync("ed25519", passphrase);

        // `script` gives rcontrol a pseudo-terminal; the passphrase is typed once the prompt shows.
        var command = string.Join(' ', new[] { "dotnet", CliProcess.Dll, "exec", "-t", $"{_sshd.User.Name}@{HostPort}", "--identity", key.PrivateKeyFile }
            .Concat(HostOptions).Concat(["--ask-passphrase", "--plain", "--", "'echo typed ok'"]));
        var start = new ProcessStartInfo("script", ["-qec", command, "/dev/null"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.Environment.Remove("SSH_AUTH_SOCK");
        start.Environment.Remove("RCONTROL_PASSPHRASE");
        start.Environment["TERM"] = "dumb";
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var prompted = new TaskCompletionSource();
        var reading = Task.Run(async () =>
        {
            var buffer = new char[256];
            int read;
            while ((read = await process.StandardOutput.ReadAsync(buffer)) > 0)
            {
                lock (output)
                {
                    output.Append(buffer, 0, read);
                    if (output.ToString().Contains("Passphrase for the identity files:", StringComparison.Ordinal))
                    {
                        prompted.TrySetResult();
                    }
                }
            }
        });
        var stderr = process.StandardError.ReadToEndAsync();
        await prompted.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await process.StandardInput.WriteAsync(passphrase + "\r");
        await process.StandardInput.FlushAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        await reading;
        var text = output.ToString();
        Assert.True(process.ExitCode == 0, text + await stderr);
        Assert.Contains("typed ok", text);
        Assert.DoesNotContain(passphrase, text);
    }

    [Fact]
    public async Task Dash_l_gives_the_login_of_targets_that_name_none()
    {
        var r = await CliProcess.RunAsync(["exec", "-t", HostPort, "-l", _sshd.User.Name, "--identity", _sshd.ClientKey.PrivateKeyFile, .. HostOptions, "--", "whoami"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal($"{HostPort}: {_sshd.User.Name}", r.StdoutLines[0]);
    }

    [Fact]
    public async Task A_host_that_never_answers_is_a_connect_error_even_under_a_shorter_timeout()
    {
        // A listener that accepts and never speaks SSH: connecting hangs until the connect deadline.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var r = await CliProcess.RunAsync(["exec", "-t", $"{_sshd.User.Name}@127.0.0.1:{port}", "--identity", _sshd.ClientKey.PrivateKeyFile,
            "--host-key-policy", "insecure-accept-any", "--timeout", "3s", "--json", "--", "true"]);
        Assert.True(r.ExitCode == 1, r.ToString());
        var result = Assert.Single(r.Json);
        Assert.False(result.GetProperty("timedOut").GetBoolean(), r.ToString());
        Assert.Contains("cannot connect", result.GetProperty("error").GetString());

        var quick = await CliProcess.RunAsync(["exec", "-t", $"{_sshd.User.Name}@127.0.0.1:{port}", "--identity", _sshd.ClientKey.PrivateKeyFile,
            "--host-key-policy", "insecure-accept-any", "--connect-timeout", "1s", "--json", "--", "true"]);
        Assert.True(quick.ExitCode == 1, quick.ToString());
        var failed = Assert.Single(quick.Json);
        Assert.Contains("within 1s", failed.GetProperty("error").GetString());

        // The whole wait, as ssh's ConnectTimeout: not one attempt retried for the default 30 s connect budget.
        Assert.True(failed.GetProperty("durationMs").GetInt64() < RControl.Protocol.SshSessionSpec.DefaultConnectBudget.TotalMilliseconds / 2, quick.ToString());
    }
}
