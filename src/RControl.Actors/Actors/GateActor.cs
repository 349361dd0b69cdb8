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
/// </summary>
internal sealed class GateActor : ReceiveActor
{
    /// <summary>What the gate needs to log clients in and serve them.</summary>
    /// <param name="Trust">Which certificates may log in (the same rule as the TLS handshake); null only when insecure.</param>
    public sealed record Settings(IActorRef Manager, IActorRef Files, PeerTrust? Trust, ClientGrants Grants, AuditLog Audit, TimeSpan LoginTimeout)
    {
        /// <summary>The engine's jobs (a daemon's); null when it keeps none.</summary>
        public IActorRef? Jobs { get; init; }
    }

    public GateActor(Settings settings)
    {
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

            Challenge(hello, settings.Grants.For(certificate), certificate, source);
        });

        void Challenge(Login.Hello hello, Grant grant, X509Certificate2? certificate, string source)
        {
            var nonce = LoginProof.NewNonce();
            var connection = Context.ActorOf(
                ClientConnectionActor.Props(new ClientConnectionActor.Settings(settings, grant, certificate, nonce, hello.Client, source)),
                $"client-{Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant()}");
            Sender.Tell(new Login.Challenge(nonce, connection));
        }
    }

    public static Props Props(Settings settings) => Akka.Actor.Props.Create(() => new GateActor(settings));

    private void Refuse(AuditLog audit, string source, string reason)
    {
        audit.LoginRefused(source, reason);
        Sender.Tell(new Login.Refused(reason));
    }
}
