using Akka.Actor;

namespace RControl.Protocol;

/// <summary>
/// The login protocol with the engine's gate (<c>/user/rcontrol</c>, the only actor reachable by path):
/// <see cref="Hello"/> → <see cref="Challenge"/> → <see cref="Proof"/> → <see cref="Accepted"/> or <see cref="Refused"/>.
/// After that every request goes to the per-client connection actor of the challenge (an unguessable name), which
/// authorizes, audits and forwards it.
/// </summary>
internal static class Login
{
    /// <summary>The client presents its certificate (DER; null only with <c>insecure-no-authentication</c>).</summary>
    /// <param name="Client">A client actor living as long as the client; when it dies, the engine ends this login.</param>
    public sealed record Hello(byte[]? Certificate, IActorRef Client) : IRControlWireMessage;

    /// <summary>Sign <paramref name="Nonce"/> with the certificate's key and send the <see cref="Proof"/> to <paramref name="Connection"/>.</summary>
    public sealed record Challenge(byte[] Nonce, IActorRef Connection) : IRControlWireMessage;

    /// <summary>The signature of the challenge's nonce.</summary>
    public sealed record Proof(byte[] Signature) : IRControlWireMessage;

    /// <summary>The login succeeded: requests may now go to the connection actor.</summary>
    public sealed record Accepted(string Identity, bool Admin) : IRControlWireMessage;

    /// <summary>The login failed (the reason is safe to show the client).</summary>
    public sealed record Refused(string Reason) : IRControlWireMessage;
}

/// <summary>A request refused by authorization: <c>client 'ci' may not exec on session 'db1'</c>.</summary>
internal sealed record AccessDenied(string Reason) : IRControlWireMessage;
