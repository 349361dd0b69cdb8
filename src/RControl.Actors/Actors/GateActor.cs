using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using Akka.Actor;
using RControl.Protocol;
using RControl.Security;

namespace RControl.Actors;

/// <summary>
/// The engine's one well-known actor (<c>/user/rcontrol</c>): answers a <see cref="Login.Hello"/> whose certificate the
/// engine trusts with a <see cref="Login.Challenge"/> from a new <see cref="ClientConnectionActor"/> (an unguessable
/// name). Nothing else is served here: sessions, commands and files are reached only through a logged-in connection.
/// Grants are read at each login and checked again every second: a connection whose grant was revoked or narrowed ends
/// at once (its commands are killed as when the client goes); a widened grant applies at the client's next login.
/// </summary>
internal sealed class GateActor : ReceiveActor, IWithTimers
{
    /// <summary>What the gate needs to log clients in and serve them.</summary>
    /// <param name="Trust">Which certificates may log in (the same rule as the TLS handshake); null only when insecure.</param>
    /// <param name="Grants">The grants now (a daemon re-reads the credentials it minted when they change).</param>
    public sealed record Settings(IActorRef Manager, IActorRef Files, PeerTrust? Trust, Func<ClientGrants> Grants, AuditLog Audit, TimeSpan LoginTimeout)
    {
        /// <summary>The engine's jobs (a daemon's); null when it keeps none.</summary>
        public IActorRef? Jobs { get; init; }
    }

    private sealed record RecheckGrants;

    private static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(1);

    private readonly Dictionary<IActorRef, X509Certificate2> _connections = new();
    private ClientGrants _grants;

    public ITimerScheduler Timers { get; set; } = null!;

    public GateActor(Settings settings)
    {
        _grants = settings.Grants();
        Receive<RecheckGrants>(_ => Recheck(settings));
        Receive<Terminated>(t => _connections.Remove(t.ActorRef));
        Receive<Login.Hello>(hello =>
        {
            var source = hello.Client.Path.Address.ToString();
            if (settings.Trust is null)
            {
                // rcontrol.remote.insecure-no-authentication: everyone is an anonymous admin (a warning is logged at every start).
                Challenge(hello, ClientGrants.Everything, null, source);
                return;
            }

            if (hello.Certificate is not { Length: > 0 and < 65536 } der)
            {
                Refuse(settings.Audit, source, "no client certificate (this engine requires a credential; see docs/remote.md, section Security)");
                return;
            }

            X509Certificate2 certificate;
            try
            {
                certificate = X509CertificateLoader.LoadCertificate(der);
            }
            catch (CryptographicException)
            {
                Refuse(settings.Audit, source, "the client certificate cannot be read");
                return;
            }

            if (settings.Trust.Check(certificate) is { } reason)
            {
                Refuse(settings.Audit, source, $"certificate refused: {reason}");
                return;
            }

            var grant = settings.Grants().For(certificate);
            if (grant.Revoked)
            {
                Refuse(settings.Audit, source, $"the credential '{grant.Identity}' was revoked");
                return;
            }

            Challenge(hello, grant, certificate, source);
        });

        void Challenge(Login.Hello hello, Grant grant, X509Certificate2? certificate, string source)
        {
            var nonce = LoginProof.NewNonce();
            var connection = Context.ActorOf(
                ClientConnectionActor.Props(new ClientConnectionActor.Settings(settings, grant, certificate, nonce, hello.Client, source)),
                $"client-{Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant()}");
            if (certificate is not null)
            {
                _connections[connection] = certificate;
                Context.Watch(connection);
            }

            Sender.Tell(new Login.Challenge(nonce, connection));
        }
    }

    protected override void PreStart() => Timers.StartPeriodicTimer(nameof(RecheckGrants), new RecheckGrants(), RecheckInterval);

    private void Recheck(Settings settings)
    {
        var now = settings.Grants();
        if (ReferenceEquals(now, _grants))
        {
            return;
        }

        _grants = now;
        foreach (var (connection, certificate) in _connections)
        {
            connection.Tell(new ClientConnectionActor.GrantChanged(now.For(certificate)));
        }
    }

    public static Props Props(Settings settings) => Akka.Actor.Props.Create(() => new GateActor(settings));

    private void Refuse(AuditLog audit, string source, string reason)
    {
        audit.LoginRefused(source, reason);
        Sender.Tell(new Login.Refused(reason));
    }
}
