using Akka.Actor;
using RControl.Protocol;
using RControl.Transports;
using RControl.Transports.Files;
using RControl.Transports.Local;
using RControl.Transports.Ssh;

namespace RControl;

/// <summary>
/// The one place that turns a <see cref="SessionSpec"/> (data) into what runs it: the engine's transport, the caller's
/// facade and the file system of the session's files.
/// </summary>
internal static class SessionFactory
{
    /// <summary>The transport that runs the session's commands. Called once, by the session actor.</summary>
    /// <param name="spec">The session.</param>
    /// <param name="sshConnects">The engine's bound on SSH connects in progress.</param>
    public static ICommandTransport CreateTransport(SessionSpec spec, SshConnectSlots? sshConnects = null) => spec switch
    {
        LocalSessionSpec local => new LocalTransport(local),
        SshSessionSpec ssh => new SshTransport(ssh, sshConnects),
        _ => throw Unknown(spec),
    };

    /// <summary>The caller-side facade over a session actor of this kind (local or remote).</summary>
    public static Session CreateFacade(SessionSpec spec, RControlSystem system, string name, IActorRef sessionActor) => spec switch
    {
        LocalSessionSpec => new LocalSession(system, name, sessionActor),
        SshSessionSpec ssh => new SshSession(system, name, sessionActor, ssh),
        _ => throw Unknown(spec),
    };

    /// <summary>
    /// The file system of the session's files (open, walk, copies), called once per facade on first use. SSH: SFTP on a
    /// connection of its own, opened on first use with the same target, auth and host-key rules.
    /// </summary>
    public static IFileSystem CreateFileSystem(SessionSpec spec, SshConnectSlots? sshConnects = null) => spec switch
    {
        LocalSessionSpec => new LocalFileSystem(),
        SshSessionSpec ssh => new SftpFileSystem(ct => SshConnector.ConnectSftpAsync(ssh, ct, sshConnects), ct => SshConnector.ConnectAsync(ssh, ct, sshConnects)),
        _ => throw Unknown(spec),
    };

    private static NotSupportedException Unknown(SessionSpec spec) => new($"{spec.GetType().Name} sessions are not supported");
}
