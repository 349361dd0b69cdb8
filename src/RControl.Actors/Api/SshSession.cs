using Akka.Actor;
using RControl.Protocol;
using RControl.Transports.Ssh;
using Renci.SshNet;

namespace RControl;

/// <summary>
/// A session on an SSH host (the original's <c>SshSession</c>). Commands run on their own exec channels, never more
/// at once than <see cref="SshSessionSpec.MaxChannels"/> × <see cref="SshSessionSpec.MaxConnections"/>: further
/// commands wait in the session, in order. Host keys are checked against known_hosts by <see cref="SshSessionSpec.HostKeyPolicy"/>.
/// </summary>
public sealed class SshSession : Session
{
    internal SshSession(RControlSystem system, string name, IActorRef sessionActor, SshSessionSpec spec)
        : base(system, name, sessionActor)
    {
        Spec = spec;
    }

    /// <summary>The spec the session was created from (its <see cref="SshSessionSpec.ToString"/> hides secrets).</summary>
    public SshSessionSpec Spec { get; }

    /// <summary>
    /// Connects once and disconnects, to check that the host is reachable, the host key trusted and the credentials
    /// accepted before running anything. Throws the same specific errors a command would report.
    /// </summary>
    /// <exception cref="SshConnectException">Unknown host, refused port, timeout.</exception>
    /// <exception cref="SshAuthenticationFailedException">Wrong key, password or passphrase.</exception>
    /// <exception cref="HostKeyVerificationException">Unknown (strict) or changed host key.</exception>
    public async Task CheckConnectionAsync(CancellationToken cancellationToken = default)
    {
        using SshClient client = await SshConnector.ConnectAsync(Spec, cancellationToken, Configuration.RControlSettings.Get(System.ActorSystem).SshConnects).ConfigureAwait(false);
        client.Disconnect();
    }

    /// <inheritdoc />
    public override string ToString() => $"SshSession({Name}: {Spec.User ?? "?"}@{Spec.Host}:{Spec.Port?.ToString(global::System.Globalization.CultureInfo.InvariantCulture) ?? "22"})";
}
