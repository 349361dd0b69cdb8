using RControl.Actors;
using RControl.Protocol;
using P = RControl.Protocol.FileProtocol;
using W = RControl.Protocol.Wire;

namespace RControl.Serialization;

/// <summary>
/// Every message of the wire protocol, version 2: its record, its manifest, its protobuf message. A manifest names a
/// message, not a version: new fields are added to the <c>.proto</c> under new numbers and keep the manifest.
/// </summary>
internal static class WireFormats
{
    public static IReadOnlyList<WireFormat> All { get; } =
    [
        Format<SessionActor.Execute, W.Execute>("Execute", TaskWire.ToWire, TaskWire.FromWire),
        Format<SessionActor.Kill, W.Kill>("Kill", TaskWire.ToWire, TaskWire.FromWire),
        Format<CommandTaskActor.Output, W.Output>("Output", TaskWire.ToWire, TaskWire.FromWire),
        Format<CommandTaskActor.OutputAck, W.OutputAck>("OutputAck", TaskWire.ToWire, TaskWire.FromWire),
        Format<CommandTaskActor.Completed, W.Completed>("Completed", TaskWire.ToWire, TaskWire.FromWire),
        Format<CommandSpec, W.CommandSpec>("CommandSpec", TaskWire.ToWire, TaskWire.FromWire),
        Format<SessionManagerActor.OpenSession, W.OpenSession>("OpenSession", SessionWire.ToWire, SessionWire.FromWire),
        Format<SessionManagerActor.GetSession, W.GetSession>("GetSession", SessionWire.ToWire, SessionWire.FromWire),
        Format<SessionManagerActor.CloseSession, W.CloseSession>("CloseSession", SessionWire.ToWire, SessionWire.FromWire),
        Format<SessionManagerActor.ListSessions, W.ListSessions>("ListSessions", _ => new W.ListSessions(), _ => SessionManagerActor.ListSessions.Instance),
        new WireFormat<SessionManagerActor.SessionFound, W.SessionFound>("SessionFound", SessionWire.ToWire, SessionWire.FromWire),
        Format<SessionManagerActor.SessionNotFound, W.SessionNotFound>("SessionNotFound", SessionWire.ToWire, SessionWire.FromWire),
        Format<SessionManagerActor.SessionClosed, W.SessionClosed>("SessionClosed", SessionWire.ToWire, SessionWire.FromWire),
        Format<SessionManagerActor.SessionList, W.SessionList>("SessionList", SessionWire.ToWire, SessionWire.FromWire),
        Format<SessionSpec, W.SessionSpec>("SessionSpec", s => SessionWire.ToWire(s, withSecrets: true), SessionWire.FromWire),
        Format<P.StatPath, W.StatPath>("StatPath", FileWire.ToWire, FileWire.FromWire),
        Format<P.ListDirectory, W.ListDirectory>("ListDirectory", FileWire.ToWire, FileWire.FromWire),
        Format<P.MakeDirectory, W.MakeDirectory>("MakeDirectory", FileWire.ToWire, FileWire.FromWire),
        Format<P.RemoveFile, W.RemoveFile>("RemoveFile", FileWire.ToWire, FileWire.FromWire),
        Format<P.RemoveDirectory, W.RemoveDirectory>("RemoveDirectory", FileWire.ToWire, FileWire.FromWire),
        Format<P.RenamePath, W.RenamePath>("RenamePath", FileWire.ToWire, FileWire.FromWire),
        Format<P.ReadLink, W.ReadLink>("ReadLink", FileWire.ToWire, FileWire.FromWire),
        Format<P.CreateSymlink, W.CreateSymlink>("CreateSymlink", FileWire.ToWire, FileWire.FromWire),
        Format<P.ChangeMode, W.ChangeMode>("ChangeMode", FileWire.ToWire, FileWire.FromWire),
        Format<P.OpenFile, W.OpenFile>("OpenFile", FileWire.ToWire, FileWire.FromWire),
        Format<P.ReadChunk, W.ReadChunk>("ReadChunk", FileWire.ToWire, FileWire.FromWire),
        Format<P.WriteChunk, W.WriteChunk>("WriteChunk", FileWire.ToWire, FileWire.FromWire),
        Format<P.CloseFile, W.CloseFile>("CloseFile", FileWire.ToWire, FileWire.FromWire),
        Format<P.StatAnswer, W.StatAnswer>("StatAnswer", FileWire.ToWire, FileWire.FromWire),
        Format<P.DirectoryListing, W.DirectoryListing>("DirectoryListing", FileWire.ToWire, FileWire.FromWire),
        Format<P.LinkTarget, W.LinkTarget>("LinkTarget", FileWire.ToWire, FileWire.FromWire),
        Format<P.FileOpened, W.FileOpened>("FileOpened", FileWire.ToWire, FileWire.FromWire),
        Format<P.Chunk, W.FileChunk>("FileChunk", FileWire.ToWire, FileWire.FromWire),
        Format<P.Done, W.FileDone>("FileDone", _ => new W.FileDone(), _ => P.Done.Instance),
        Format<P.Failed, W.FileFailed>("FileFailed", FileWire.ToWire, FileWire.FromWire),
        new WireFormat<Security.Login.Hello, W.LoginHello>("LoginHello", AuthWire.ToWire, AuthWire.FromWire),
        new WireFormat<Security.Login.Challenge, W.LoginChallenge>("LoginChallenge", AuthWire.ToWire, AuthWire.FromWire),
        Format<Security.Login.Proof, W.LoginProof>("LoginProof", AuthWire.ToWire, AuthWire.FromWire),
        Format<Security.Login.Accepted, W.LoginAccepted>("LoginAccepted", AuthWire.ToWire, AuthWire.FromWire),
        Format<Security.Login.Refused, W.LoginRefused>("LoginRefused", AuthWire.ToWire, AuthWire.FromWire),
        Format<Security.AccessDenied, W.AccessDenied>("AccessDenied", AuthWire.ToWire, AuthWire.FromWire),
    ];

    private static WireFormat<TRecord, TWire> Format<TRecord, TWire>(string manifest, Func<TRecord, TWire> toWire, Func<TWire, TRecord> fromWire)
        where TRecord : notnull
        where TWire : Google.Protobuf.IMessage<TWire>, new() =>
        new(manifest, toWire, (wire, _) => fromWire(wire));
}
