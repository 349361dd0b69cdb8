using RControl.TestSupport;

namespace RControl.Ssh.Tests.Fixture;

/// <summary>The test sshd itself, checked with the OpenSSH client so a fixture bug is not mistaken for a transport bug.</summary>
public sealed class SshServerFixtureTests
{
    private static Task<ProcessResult> OpenSshAsync(SshServer server, int port, string command) =>
        ProcessRunner.RunAsync("ssh", [
            "-F", server.SshConfigFile, "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
            "-o", $"UserKnownHostsFile={server.KnownHostsFile}", "-i", server.ClientKey.PrivateKeyFile,
            "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{server.User.Name}@{server.Host}", command]);

    [Fact]
    public async Task Two_servers_run_at_once_and_accept_their_own_client_key()
    {
        await using var one = await SshServer.StartAsync();
        await using var two = await SshServer.StartAsync(new SshServerOptions { HostKeyTypes = ["ecdsa", "rsa"] });
        Assert.NotEqual(one.Port, two.Port);

        var a = await OpenSshAsync(one, one.Port, "echo one; id -un");
        var b = await OpenSshAsync(two, two.Port, "echo two");
        Assert.True(a.ExitCode == 0, a.Stderr + one.Log);
        Assert.Equal($"one\n{one.User.Name}\n", a.Stdout);
        Assert.Equal("two\n", b.Stdout);
        Assert.Equal(2, two.HostKeys.Count);
    }

    [Fact]
    public async Task Stop_kills_the_server_and_restart_serves_the_same_port_and_key()
    {
        await using var server = await SshServer.StartAsync();
        var pid = server.Pid!.Value;
        await server.StopAsync();
        Assert.False(server.IsRunning);
        Assert.False(Directory.Exists($"/proc/{pid}"), "sshd still runs after StopAsync");
        Assert.NotEqual(0, (await OpenSshAsync(server, server.Port, "true")).ExitCode);

        await server.RestartAsync();
        var result = await OpenSshAsync(server, server.Port, "echo back");
        Assert.Equal("back\n", result.Stdout);
    }

    [Fact]
    public async Task Proxy_forwards_and_cuts_connections()
    {
        await using var server = await SshServer.StartAsync();
        await using var proxy = TcpProxy.Start(server.Port);
        server.Spec(proxy.Port);
        var through = await OpenSshAsync(server, proxy.Port, "echo via-proxy");
        Assert.Equal("via-proxy\n", through.Stdout);

        // The first connection must be gone from the proxy's list, or the cut below could miss the second one.
        await Poll.UntilAsync(() => proxy.OpenConnections == 0, TimeSpan.FromSeconds(10), "the first proxied connection to close");
        var marker = $"rc-fixture-{Guid.NewGuid():N}";
        var running = OpenSshAsync(server, proxy.Port, $"sleep 30 # {marker}");
        await Poll.UntilAsync(() => proxy.OpenConnections == 1 && proxy.AcceptedConnections == 2, TimeSpan.FromSeconds(10), "the second proxied connection");
        proxy.CutAll();
        var cut = await running.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.NotEqual(0, cut.ExitCode);
    }

    [Fact]
    public async Task Free_port_is_not_listening()
    {
        var port = FreePort.GetClosed();
        using var client = new System.Net.Sockets.TcpClient();
        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => client.ConnectAsync("127.0.0.1", port));
    }
}
