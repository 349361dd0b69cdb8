using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using RControl.Actors;
using RControl.Files;
using RControl.Jobs;
using RControl.Protocol;
using RControl.Security;

namespace RControl.Actors;

/// <summary>
/// One logged-in client (child of the <see cref="GateActor"/>, unguessable name). First waits for the login proof; then
/// authorizes every session-manager and file request against the client's <see cref="Grant"/>, writes it to the audit
/// log, and forwards it. Sessions are handed out as <see cref="SessionGuardActor"/>s, never as the session actors
/// themselves. Stops (and so kills the client's commands) when the client's actor system goes away.
/// </summary>
internal sealed class ClientConnectionActor : ReceiveActor
{
    /// <summary>The login in progress and what the connection serves.</summary>
    public sealed record Settings(GateActor.Settings Gate, Grant Grant, X509Certificate2? Certificate, byte[] Nonce, IActorRef Client, string Source);

    /// <summary>From the gate: the grants changed; this identity's grant is now <paramref name="Grant"/>.</summary>
    public sealed record GrantChanged(Grant Grant);

    // Asks complete off the actor's thread: the answer comes back as a message and is mapped here, in the actor.
    private sealed record Answer(object Message, IActorRef ReplyTo, Func<object, object>? Map = null);

    private readonly Settings _settings;
    private readonly Dictionary<string, (IActorRef Guard, IActorRef Session)> _guards = new(StringComparer.Ordinal);
    private readonly Dictionary<long, string> _handles = new(); // open file → its session
    private readonly TimeSpan _timeout;
    private bool _loggedIn;

    public ClientConnectionActor(Settings settings)
    {
        _settings = settings;
        _timeout = settings.Gate.LoginTimeout;
        Receive<Login.Proof>(OnProof);
        Receive<GrantChanged>(OnGrantChanged);
        Receive<ReceiveTimeout>(_ => Context.Stop(Self));
    }

    public static Props Props(Settings settings) => Akka.Actor.Props.Create(() => new ClientConnectionActor(settings));

    private Grant Grant => _settings.Grant;

    private AuditLog Audit => _settings.Gate.Audit;

    protected override void PreStart() => Context.SetReceiveTimeout(_timeout);

    protected override void PostStop()
    {
        if (_loggedIn)
        {
            Audit.LoggedOut(Grant.Identity, _settings.Source);
        }
    }

    private void OnProof(Login.Proof proof)
    {
        var valid = _settings.Certificate is null
            || (proof.Signature is { Length: > 0 and < 4096 } && LoginProof.Verify(_settings.Certificate, _settings.Nonce, proof.Signature));
        if (!valid)
        {
            Audit.LoginRefused(_settings.Source, $"{Grant.Identity}: the login proof does not match the certificate");
            Sender.Tell(new Login.Refused("the login proof does not match the certificate"));
            Context.Stop(Self);
            return;
        }

        Context.SetReceiveTimeout(null);
        Context.Watch(_settings.Client);
        _loggedIn = true;
        Audit.LoggedIn(Grant.Identity, _settings.Source, Grant.IsAdmin);
        Sender.Tell(new Login.Accepted(Grant.Identity, Grant.IsAdmin));
        Become(Serving);
    }

    private void OnGrantChanged(GrantChanged changed)
    {
        if (changed.Grant.Covers(Grant))
        {
            return; // a wider grant applies at the next login
        }

        // Revoked or narrowed: the connection ends now, and with it the client's commands (as when the client goes).
        Audit.Denied(Grant.Identity, _settings.Source, changed.Grant.Revoked ? "the credential was revoked: logged out" : "the grants were narrowed: logged out");
        Context.Stop(Self);
    }

    private void Serving()
    {
        Receive<GrantChanged>(OnGrantChanged);
        Receive<ListSessions>(list => Ask(list, answer => answer is SessionList l
            ? new SessionList(l.Names.Where(Grant.AllowsAny).ToArray())
            : answer));
        Receive<GetSession>(get =>
        {
            if (!Grant.AllowsAny(get.Name))
            {
                Deny($"client '{Grant.Identity}' may not use session '{get.Name}'");
                return;
            }

            Ask(get, answer => Guarded(answer, "got"));
        });
        Receive<OpenSession>(open =>
        {
            if (!Grant.Allows(Operation.Open, open.Name))
            {
                Deny(Grant.Refusal(Operation.Open, open.Name));
                return;
            }

            Ask(open, answer => Guarded(answer, "opened"));
        });
        Receive<CloseSession>(close =>
        {
            if (!Grant.Allows(Operation.Open, close.Name))
            {
                Deny($"client '{Grant.Identity}' may not close session '{close.Name}'");
                return;
            }

            Audit.Session(Grant.Identity, _settings.Source, "closed", close.Name);
            Ask(close, answer => answer);
        });
        Receive<Cluster.ClusterNodes.ListNodes>(list => Ask(list with { LocalOnly = false }, answer => answer is Cluster.ClusterNodes.NodeList ? answer : new Cluster.ClusterNodes.NodeList([])));
        Receive<FileProtocol.IRequest>(OnFileRequest);
        Receive<IJobRequest>(request =>
        {
            if (_settings.Gate.Jobs is not { } jobs)
            {
                Sender.Tell(new AccessDenied("this engine keeps no jobs (submit them to an rcontrol daemon)"));
                return;
            }

            jobs.Tell(new JobManagerActor.Request(Grant, _settings.Source, request), Sender);
        });
        Receive<Answer>(answer => answer.ReplyTo.Tell(answer.Map is { } map ? map(answer.Message) : answer.Message, Self));
        Receive<Terminated>(t => t.ActorRef.Equals(_settings.Client), _ => Context.Stop(Self));
        Receive<Terminated>(t =>
        {
            foreach (var (name, guard) in _guards.Where(g => g.Value.Guard.Equals(t.ActorRef)).ToArray())
            {
                _guards.Remove(name);
            }
        });
    }

    private object Guarded(object answer, string action)
    {
        if (answer is not SessionFound found)
        {
            return answer;
        }

        if (!_guards.TryGetValue(found.Name, out var guard) || !guard.Session.Equals(found.Session))
        {
            var actor = Context.ActorOf(
                SessionGuardActor.Props(new SessionGuardActor.Settings(Grant, found.Name, found.Session, Audit, _settings.Source)),
                $"session-{Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant()}");
            Context.Watch(actor);
            guard = (actor, found.Session);
            _guards[found.Name] = guard;
        }

        Audit.Session(Grant.Identity, _settings.Source, action, found.Name);
        return found with { Session = guard.Guard };
    }

    private void OnFileRequest(FileProtocol.IRequest request)
    {
        var operation = request switch
        {
            FileProtocol.StatPath or FileProtocol.ListDirectory or FileProtocol.ReadLink or FileProtocol.ReadChunk => Operation.FileRead,
            FileProtocol.OpenFile { Mode: FileOpenMode.Read } => Operation.FileRead,
            FileProtocol.CloseFile => (Operation?)null,
            _ => Operation.FileWrite,
        };
        var session = request is FileProtocol.IPathRequest onPath ? onPath.Session : null;
        if (request is FileProtocol.IHandleRequest onHandle)
        {
            // Only files this client opened, with the grant they were opened under.
            if (!_handles.TryGetValue(onHandle.Handle, out var opened))
            {
                Sender.Tell(new FileProtocol.Failed(FileErrorKind.Failure, request.Operation, request.Path, "the file is not open"));
                return;
            }

            session = opened;
        }

        if (operation is { } op && !Grant.Allows(op, session!))
        {
            var reason = Grant.Refusal(op, session!);
            Audit.Denied(Grant.Identity, _settings.Source, $"{reason} ({request.Operation} {request.Path})");
            Sender.Tell(new FileProtocol.Failed(FileErrorKind.PermissionDenied, request.Operation, request.Path, reason));
            return;
        }

        if (request is not (FileProtocol.ReadChunk or FileProtocol.WriteChunk))
        {
            Audit.File(Grant.Identity, _settings.Source, session!, request.Operation, request.Path);
        }

        var replyTo = Sender;
        _settings.Gate.Files.Ask<object>(request, _timeout + _timeout).PipeTo(
            Self,
            success: answer => new Answer(answer, replyTo, a =>
            {
                if (a is FileProtocol.FileOpened fileOpened)
                {
                    _handles[fileOpened.Handle] = session!;
                }
                else if (request is FileProtocol.CloseFile close)
                {
                    _handles.Remove(close.Handle);
                }

                return a;
            }),
            failure: e => new Answer(new FileProtocol.Failed(FileErrorKind.Failure, request.Operation, request.Path, e.Message), replyTo));
    }

    private void Ask(object request, Func<object, object> map)
    {
        var replyTo = Sender;
        _settings.Gate.Manager.Ask<object>(request, _timeout).PipeTo(
            Self,
            success: answer => new Answer(answer, replyTo, map),
            failure: e => new Answer(new AccessDenied($"the engine did not answer: {e.Message}"), replyTo));
    }

    private void Deny(string reason)
    {
        Audit.Denied(Grant.Identity, _settings.Source, reason);
        Sender.Tell(new AccessDenied(reason));
    }
}
