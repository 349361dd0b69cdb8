using System.Security.Cryptography.X509Certificates;
using RControl.Remote.Tests.Support;
using RControl.Security;
using RControl.TestSupport;

namespace RControl.Remote.Tests;

/// <summary>
/// <c>rcontrol.remote.tls.trust = chain</c> end to end: the real daemon and a client process, each trusting the
/// machine's CA store (OpenSSL's, here pointed at a test bundle with <c>SSL_CERT_FILE</c>). A chain that validates
/// runs the command; a client certificate of another CA is refused by the daemon, and a daemon certificate the
/// client's store does not trust is refused by the client — nothing runs either way.
/// </summary>
public sealed class TlsChainTests
{
    [Fact]
    public async Task Chain_trust_admits_a_chain_that_validates_and_refuses_one_that_does_not()
    {
        using var dir = new TempDir();
        using var trusted = CertificateAuthority.Create("rcontrol-test-chain-ca");
        using var rogue = CertificateAuthority.Create("rcontrol-test-rogue-ca");
        var trustedBundle = dir.PathOf("trusted.pem");
        var rogueBundle = dir.PathOf("rogue.pem");
        await File.WriteAllTextAsync(trustedBundle, trusted.Certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(rogueBundle, rogue.Certificate.ExportCertificatePem());
        var server = Save(dir, "server", trusted.Issue("chain-daemon"));
        var client = Save(dir, "client", trusted.Issue("chain-client"));
        var intruder = Save(dir, "intruder", rogue.Issue("chain-client")); // same name, another CA

        var daemonConfig = $$"""
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = {port} }
            rcontrol {
              remote.tls { enabled = on, certificate-path = "{{server}}", trust = chain }
              clients { chain-client { sessions = ["*"], operations = [exec] } }
              sessions { local { type = local } }
            }
            """;
        await using var daemon = await DaemonProcess.StartReadyAsync(daemonConfig, Store(trustedBundle));

        // Validates both ways: the command runs.
        var ok = await RunClientAsync(dir, daemon, client, trustedBundle, "echo chain-ok", askTimeout: "30s");
        Assert.True(ok.ExitCode == 0, ok.Stderr);
        Assert.Contains("chain-ok", ok.Stdout);

        // The client's certificate does not chain to a CA the daemon's store trusts: refused, nothing runs.
        var marker1 = dir.PathOf("ran-1");
        var refusedByDaemon = await RunClientAsync(dir, daemon, intruder, trustedBundle, $"touch {marker1}");
        Assert.NotEqual(0, refusedByDaemon.ExitCode);
        Assert.DoesNotContain("started", refusedByDaemon.Stdout);
        Assert.False(File.Exists(marker1));
        await daemon.WaitForOutputAsync("does not chain to a trusted CA", TimeSpan.FromSeconds(10));

        // The daemon's certificate does not chain to a CA the client's store trusts: the client refuses it.
        var marker2 = dir.PathOf("ran-2");
        var refusedByClient = await RunClientAsync(dir, daemon, client, rogueBundle, $"touch {marker2}");
        Assert.NotEqual(0, refusedByClient.ExitCode);
        Assert.Contains("CN=chain-daemon does not chain to a trusted CA", refusedByClient.Stderr);
        Assert.False(File.Exists(marker2));

        // The daemon serves on.
        Assert.Equal(0, (await RunClientAsync(dir, daemon, client, trustedBundle, "true", askTimeout: "30s")).ExitCode);
    }

    private static string Save(TempDir dir, string name, X509Certificate2 certificate)
    {
        var path = dir.PathOf($"{name}.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx));
        return path;
    }

    /// <summary>OpenSSL's trust store for the process: only this bundle (no system directory).</summary>
    private static Dictionary<string, string> Store(string bundle) => new()
    {
        ["SSL_CERT_FILE"] = bundle,
        ["SSL_CERT_DIR"] = Path.Combine(Path.GetDirectoryName(bundle)!, "no-cert-dir"),
    };

    /// <summary>Runs one command from a client process; a refused login waits out <paramref name="askTimeout"/> (short by default).</summary>
    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunClientAsync(TempDir dir, DaemonProcess daemon, string certificate, string bundle, string command, string askTimeout = "5s")
    {
        var config = dir.PathOf($"client-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(config, $$"""
            rcontrol.remote.ask-timeout = {{askTimeout}}
            rcontrol.remote.tls { enabled = on, certificate-path = "{{certificate}}", trust = chain }
            """);
        return await ClientProcess.RunAsync("RControl.Remote.Tests.dll", ["client-config", daemon.Address, config, command], environment: Store(bundle));
    }
}
