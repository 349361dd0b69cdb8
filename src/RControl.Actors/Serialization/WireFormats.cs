using RControl.Actors;
using RControl.Protocol;
using P = RControl.Protocol.FileProtocol;
using J = RControl.Jobs.JobProtocol;
using W = RControl.Protocol.Wire;

namespace RControl.Serialization;

/// <summary>
/// Every message of the wire protocol, version 2: its record, its manifest, its protobuf message. A manifest names a
/// message, not a version: new fields are added to the <c>.proto</c> under new numbers and keep the manifest.
/// Requests (what an engine receives) are read up to <see cref="WireLimits.MaxRequestBytes"/>, answers up to Akka.Remote's frame.
/// </summary>
internal static class WireFormats
{
    public static IReadOnlyList<WireFormat> All { get; } =
    [
        Request<ExecuteCommand, W.Execute>("Execute", TaskWire.ToWire, TaskWire.FromWire),
        Request<KillCommand, W.Kill>("Kill", TaskWire.ToWire, TaskWire.FromWire),
        Answer<CommandOutput, W.Output>("Output", TaskWire.ToWire, TaskWire.FromWire),
        Request<CommandOutputAck, W.OutputAck>("OutputAck", TaskWire.ToWire, TaskWire.FromWire),
        Answer<CommandCompleted, W.Completed>("Completed", TaskWire.ToWire, TaskWire.FromWire),
        Request<CommandSpec, W.CommandSpec>("CommandSpec", TaskWire.ToWire, TaskWire.FromWire),
        Request<OpenSession, W.OpenSession>("OpenSession", SessionWire.ToWire, SessionWire.FromWire),
        Request<GetSession, W.GetSession>("GetSession", SessionWire.ToWire, SessionWire.FromWire),
        Request<CloseSession, W.CloseSession>("CloseSession", SessionWire.ToWire, SessionWire.FromWire),
        Request<ListSessions, W.ListSessions>("ListSessions", _ => new W.ListSessions(), _ => ListSessions.Instance),
        new WireFormat<SessionFound, W.SessionFound>("SessionFound", SessionWire.ToWire, SessionWire.FromWire, null), // an answer that resolves an actor ref
        Answer<SessionNotFound, W.SessionNotFound>("SessionNotFound", SessionWire.ToWire, SessionWire.FromWire),
        Answer<SessionClosed, W.SessionClosed>("SessionClosed", SessionWire.ToWire, SessionWire.FromWire),
        Answer<SessionList, W.SessionList>("SessionList", SessionWire.ToWire, SessionWire.FromWire),
        Request<SessionSpec, W.SessionSpec>("SessionSpec", s => SessionWire.ToWire(s, withSecrets: true), SessionWire.FromWire),
        Request<P.StatPath, W.StatPath>("StatPath", FileWire.ToWire, FileWire.FromWire),
        Request<P.ListDirectory, W.ListDirectory>("ListDirectory", FileWire.ToWire, FileWire.FromWire),
        Request<P.MakeDirectory, W.MakeDirectory>("MakeDirectory", FileWire.ToWire, FileWire.FromWire),
        Request<P.RemoveFile, W.RemoveFile>("RemoveFile", FileWire.ToWire, FileWire.FromWire),
        Request<P.RemoveDirectory, W.RemoveDirectory>("RemoveDirectory", FileWire.ToWire, FileWire.FromWire),
        Request<P.RenamePath, W.RenamePath>("RenamePath", FileWire.ToWire, FileWire.FromWire),
        Request<P.ReadLink, W.ReadLink>("ReadLink", FileWire.ToWire, FileWire.FromWire),
        Request<P.CreateSymlink, W.CreateSymlink>("CreateSymlink", FileWire.ToWire, FileWire.FromWire),
        Request<P.ChangeMode, W.ChangeMode>("ChangeMode", FileWire.ToWire, FileWire.FromWire),
        Request<P.OpenFile, W.OpenFile>("OpenFile", FileWire.ToWire, FileWire.FromWire),
        Request<P.ReadChunk, W.ReadChunk>("ReadChunk", FileWire.ToWire, FileWire.FromWire),
        Request<P.WriteChunk, W.WriteChunk>("WriteChunk", FileWire.ToWire, FileWire.FromWire, WireLimits.MaxWriteChunkBytes),
        Request<P.CloseFile, W.CloseFile>("CloseFile", FileWire.ToWire, FileWire.FromWire),
        Answer<P.StatAnswer, W.StatAnswer>("StatAnswer", FileWire.ToWire, FileWire.FromWire),
        Answer<P.DirectoryListing, W.DirectoryListing>("DirectoryListing", FileWire.ToWire, FileWire.FromWire),
        Answer<P.LinkTarget, W.LinkTarget>("LinkTarget", FileWire.ToWire, FileWire.FromWire),
        Answer<P.FileOpened, W.FileOpened>("FileOpened", FileWire.ToWire, FileWire.FromWire),
        Answer<P.Chunk, W.FileChunk>("FileChunk", FileWire.ToWire, FileWire.FromWire),
        Answer<P.Done, W.FileDone>("FileDone", _ => new W.FileDone(), _ => P.Done.Instance),
        Answer<P.Failed, W.FileFailed>("FileFailed", FileWire.ToWire, FileWire.FromWire),
        new WireFormat<Login.Hello, W.LoginHello>("LoginHello", AuthWire.ToWire, AuthWire.FromWire, WireLimits.MaxRequestBytes),
        new WireFormat<Login.Challenge, W.LoginChallenge>("LoginChallenge", AuthWire.ToWire, AuthWire.FromWire, null),
        Request<Login.Proof, W.LoginProof>("LoginProof", AuthWire.ToWire, AuthWire.FromWire),
        Answer<Login.Accepted, W.LoginAccepted>("LoginAccepted", AuthWire.ToWire, AuthWire.FromWire),
        Answer<Login.Refused, W.LoginRefused>("LoginRefused", AuthWire.ToWire, AuthWire.FromWire),
        Answer<AccessDenied, W.AccessDenied>("AccessDenied", AuthWire.ToWire, AuthWire.FromWire),
        Request<J.Submit, W.SubmitJob>("SubmitJob", JobWire.ToWire, JobWire.FromWire),
        Answer<J.Submitted, W.JobSubmitted>("JobSubmitted", JobWire.ToWire, JobWire.FromWire),
        Request<J.Get, W.GetJob>("GetJob", JobWire.ToWire, JobWire.FromWire),
        Answer<J.Found, W.JobFound>("JobFound", JobWire.ToWire, JobWire.FromWire),
        Answer<J.JobNotFound, W.JobNotFound>("JobNotFound", JobWire.ToWire, JobWire.FromWire),
        Request<J.List, W.ListJobs>("ListJobs", JobWire.ToWire, JobWire.FromWire),
        Answer<J.JobList, W.JobList>("JobList", JobWire.ToWire, JobWire.FromWire),
        Request<J.ReadOutput, W.ReadJobOutput>("ReadJobOutput", JobWire.ToWire, JobWire.FromWire),
        Answer<J.OutputPage, W.JobOutputPage>("JobOutputPage", JobWire.ToWire, JobWire.FromWire),
        Request<J.Kill, W.KillJob>("KillJob", JobWire.ToWire, JobWire.FromWire),
        Answer<J.KillAccepted, W.JobKillAccepted>("JobKillAccepted", JobWire.ToWire, JobWire.FromWire),
        Request<J.WaitFor, W.WaitJob>("WaitJob", JobWire.ToWire, JobWire.FromWire),
        Request<J.ReadAudit, W.ReadAudit>("ReadAudit", JobWire.ToWire, JobWire.FromWire),
        Answer<J.AuditPage, W.AuditPage>("AuditPage", JobWire.ToWire, JobWire.FromWire),
        Request<Cluster.ClusterNodes.ListNodes, W.ListNodes>("ListNodes", ClusterWire.ToWire, ClusterWire.FromWire),
        Answer<Cluster.ClusterNodes.NodeList, W.NodeList>("NodeList", ClusterWire.ToWire, ClusterWire.FromWire),
    ];

    /// <summary>A message an engine receives (an unauthenticated peer could send it): read up to <paramref name="maxPayloadBytes"/>.</summary>
    private static WireFormat<TRecord, TWire> Request<TRecord, TWire>(string manifest, Func<TRecord, TWire> toWire, Func<TWire, TRecord> fromWire, int maxPayloadBytes = WireLimits.MaxRequestBytes)
        where TRecord : notnull
        where TWire : Google.Protobuf.IMessage<TWire>, new() =>
        new(manifest, toWire, (wire, _) => fromWire(wire), maxPayloadBytes);

    /// <summary>A message a client receives from its engine: read up to Akka.Remote's frame size (<c>maximum-frame-size</c>).</summary>
    private static WireFormat<TRecord, TWire> Answer<TRecord, TWire>(string manifest, Func<TRecord, TWire> toWire, Func<TWire, TRecord> fromWire)
        where TRecord : notnull
        where TWire : Google.Protobuf.IMessage<TWire>, new() =>
        new(manifest, toWire, (wire, _) => fromWire(wire), null);
}
