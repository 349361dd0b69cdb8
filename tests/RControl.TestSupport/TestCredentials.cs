using Akka.Configuration;
using RControl.Remote;
using RControl.Security;

namespace RControl.TestSupport;

/// <summary>
/// A throw-away CA in a temp directory with an engine certificate and client credentials, as a daemon's state would
/// hold: the engine side's <see cref="EndpointSecurity"/> and, per client, a credential file and the config that uses it.
/// </summary>
public sealed class TestCredentials : IDisposable
{
    private readonly TempDir _dir = new();

    public TestCredentials()
    {
        Authority = CertificateAuthority.Create("rcontrol-test-ca", notBefore: DateTimeOffset.UtcNow.AddDays(-30)); // old enough to issue expired certificates
        Server = new ClientCredential(Authority.Issue("rcontrol-daemon", node: true), Authority.Certificate, null);
        ServerPath = _dir.PathOf("server.pfx");
        Server.Save(ServerPath);
        Engine = EndpointSecurity.ForEngine(Server);
    }

    internal CertificateAuthority Authority { get; }

    internal ClientCredential Server { get; }

    public string ServerPath { get; }

    /// <summary>The engine's endpoint security (its certificate; clients of this CA accepted).</summary>
    internal EndpointSecurity Engine { get; }

    public string Directory => _dir.Path;

    /// <summary>Mints a client credential (valid now unless dates are given) and returns its file.</summary>
    public string Issue(string name, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var credential = new ClientCredential(Authority.Issue(name, notBefore, notAfter), Authority.Certificate, Server.Certificate);
        var path = _dir.PathOf($"{name}-{Guid.NewGuid():N}.pfx");
        credential.Save(path);
        return path;
    }

    /// <summary>A client config using a fresh credential for <paramref name="name"/> (default: the admin identity).</summary>
    public Config ClientConfig(string name = "admin") => ForFile(Issue(name));

    /// <summary>A client config using an existing credential file.</summary>
    public static Config ForFile(string path) =>
        ConfigurationFactory.ParseString($"rcontrol.remote.credential = \"{path}\"");

    public void Dispose()
    {
        Server.Dispose();
        Authority.Dispose();
        _dir.Dispose();
    }
}
