using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Serialization;
using RControl.Actors;
using RControl.Files;
using RControl.Protocol;
using RControl.Remote;

namespace RControl.Serialization;

/// <summary>
/// The explicit, versioned binary serializer of every RControl message that crosses Akka.Remote
/// (bound in <c>hocon/reference.conf</c>), remote file access included. Each message has a short string manifest that ends in its
/// format version (<c>Execute.1</c>, <c>Output.1</c> …): a new field means a new manifest version, and
/// old versions stay readable. The payload is written with <see cref="BinaryWriter"/> (UTF-8 strings,
/// length-prefixed), never by reflection.
/// </summary>
/// <remarks>
/// Secrets: an <see cref="SshSessionSpec"/> sent to open a session carries its password/passphrase
/// (the engine needs them; use TLS off loopback), but a session spec sent back to a client
/// (<see cref="SessionManagerActor.SessionFound"/>) is written without them. Nothing here logs.
/// </remarks>
public sealed class RControlMessageSerializer : SerializerWithStringManifest
{
    /// <summary>The serializer id (Akka reserves 0–100).</summary>
    public const int SerializerId = 7357;

    private const string ExecuteManifest = "Execute.1";
    private const string KillManifest = "Kill.1";
    private const string OutputManifest = "Output.1";
    private const string OutputAckManifest = "OutputAck.1";
    private const string CompletedManifest = "Completed.1";
    private const string OpenSessionManifest = "OpenSession.1";
    private const string GetSessionManifest = "GetSession.1";
    private const string CloseSessionManifest = "CloseSession.1";
    private const string ListSessionsManifest = "ListSessions.1";
    private const string SessionFoundManifest = "SessionFound.1";
    private const string SessionNotFoundManifest = "SessionNotFound.1";
    private const string SessionClosedManifest = "SessionClosed.1";
    private const string SessionListManifest = "SessionList.1";
    private const string CommandSpecManifest = "CommandSpec.1";
    private const string SessionSpecManifest = "SessionSpec.1";
    private const string FileCallManifest = "FileCall.1";
    private const string FileResultManifest = "FileResult.1";
    private const string FileFailedManifest = "FileFailed.1";

    private const byte LocalKind = 1;
    private const byte SshKind = 2;
    private const int MaxJumpDepth = 8;

    private static readonly UTF8Encoding Utf8 = new(false, false);

    /// <summary>Created by Akka's serialization extension.</summary>
    public RControlMessageSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    /// <inheritdoc />
    public override int Identifier => SerializerId;

    /// <inheritdoc />
    public override string Manifest(object o) => o switch
    {
        SessionActor.Execute => ExecuteManifest,
        SessionActor.Kill => KillManifest,
        CommandTaskActor.Output => OutputManifest,
        CommandTaskActor.OutputAck => OutputAckManifest,
        CommandTaskActor.Completed => CompletedManifest,
        SessionManagerActor.OpenSession => OpenSessionManifest,
        SessionManagerActor.GetSession => GetSessionManifest,
        SessionManagerActor.CloseSession => CloseSessionManifest,
        SessionManagerActor.ListSessions => ListSessionsManifest,
        SessionManagerActor.SessionFound => SessionFoundManifest,
        SessionManagerActor.SessionNotFound => SessionNotFoundManifest,
        SessionManagerActor.SessionClosed => SessionClosedManifest,
        SessionManagerActor.SessionList => SessionListManifest,
        CommandSpec => CommandSpecManifest,
        SessionSpec => SessionSpecManifest,
        FileServiceActor.Call => FileCallManifest,
        FileServiceActor.Result => FileResultManifest,
        FileServiceActor.Failed => FileFailedManifest,
        _ => throw new SerializationException($"RControl serializer cannot serialize {o.GetType().FullName}"),
    };

    /// <inheritdoc />
    public override byte[] ToBinary(object obj)
    {
        using var buffer = new MemoryStream(obj is CommandTaskActor.Output output ? EstimateSize(output) : 256);
        using (var w = new BinaryWriter(buffer, Utf8, leaveOpen: true))
        {
            Write(w, obj);
        }

        return buffer.ToArray();
    }

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest)
    {
        using var r = new BinaryReader(new MemoryStream(bytes, writable: false), Utf8);
        return manifest switch
        {
            ExecuteManifest => new SessionActor.Execute(r.ReadString(), ReadCommandSpec(r)),
            KillManifest => new SessionActor.Kill(r.ReadString()),
            OutputManifest => new CommandTaskActor.Output(r.ReadString(), (OutputStream)r.ReadByte(), ReadStrings(r)),
            OutputAckManifest => new CommandTaskActor.OutputAck(r.ReadString(), (OutputStream)r.ReadByte()),
            CompletedManifest => new CommandTaskActor.Completed(r.ReadString(), (CommandEnd)r.ReadByte(), ReadNullableInt(r), ReadNullableString(r)),
            OpenSessionManifest => new SessionManagerActor.OpenSession(r.ReadString(), ReadSessionSpec(r, 0)),
            GetSessionManifest => new SessionManagerActor.GetSession(r.ReadString()),
            CloseSessionManifest => new SessionManagerActor.CloseSession(r.ReadString()),
            ListSessionsManifest => SessionManagerActor.ListSessions.Instance,
            SessionFoundManifest => new SessionManagerActor.SessionFound(r.ReadString(), ReadActorRef(r), ReadSessionSpec(r, 0)),
            SessionNotFoundManifest => new SessionManagerActor.SessionNotFound(r.ReadString(), ReadStrings(r)),
            SessionClosedManifest => new SessionManagerActor.SessionClosed(r.ReadString()),
            SessionListManifest => new SessionManagerActor.SessionList(ReadStrings(r)),
            CommandSpecManifest => ReadCommandSpec(r),
            SessionSpecManifest => ReadSessionSpec(r, 0),
            FileCallManifest => ReadFileCall(r),
            FileResultManifest => ReadFileResult(r),
            FileFailedManifest => new FileServiceActor.Failed((FileErrorKind)r.ReadByte(), r.ReadString(), r.ReadString(), r.ReadString()),
            _ => throw new SerializationException($"RControl serializer: unknown manifest '{manifest}' (a newer RControl on the other side?)"),
        };
    }

    private void Write(BinaryWriter w, object obj)
    {
        switch (obj)
        {
            case SessionActor.Execute m:
                w.Write(m.TaskId);
                WriteCommandSpec(w, m.Spec);
                break;
            case SessionActor.Kill m:
                w.Write(m.TaskId);
                break;
            case CommandTaskActor.Output m:
                w.Write(m.TaskId);
                w.Write((byte)m.Stream);
                WriteStrings(w, m.Lines);
                break;
            case CommandTaskActor.OutputAck m:
                w.Write(m.TaskId);
                w.Write((byte)m.Stream);
                break;
            case CommandTaskActor.Completed m:
                w.Write(m.TaskId);
                w.Write((byte)m.End);
                WriteNullableInt(w, m.ExitCode);
                WriteNullableString(w, m.Error);
                break;
            case SessionManagerActor.OpenSession m:
                w.Write(m.Name);
                WriteSessionSpec(w, m.Spec, withSecrets: true, 0);
                break;
            case SessionManagerActor.GetSession m:
                w.Write(m.Name);
                break;
            case SessionManagerActor.CloseSession m:
                w.Write(m.Name);
                break;
            case SessionManagerActor.ListSessions:
                break;
            case SessionManagerActor.SessionFound m:
                w.Write(m.Name);
                w.Write(Akka.Serialization.Serialization.SerializedActorPath(m.Session));
                WriteSessionSpec(w, m.Spec, withSecrets: false, 0);
                break;
            case SessionManagerActor.SessionNotFound m:
                w.Write(m.Name);
                WriteStrings(w, m.Known);
                break;
            case SessionManagerActor.SessionClosed m:
                w.Write(m.Name);
                break;
            case SessionManagerActor.SessionList m:
                WriteStrings(w, m.Names);
                break;
            case CommandSpec m:
                WriteCommandSpec(w, m);
                break;
            case SessionSpec m:
                WriteSessionSpec(w, m, withSecrets: true, 0);
                break;
            case FileServiceActor.Call m:
                WriteFileCall(w, m);
                break;
            case FileServiceActor.Result m:
                WriteFileResult(w, m);
                break;
            case FileServiceActor.Failed m:
                w.Write((byte)m.Kind);
                w.Write(m.Operation);
                w.Write(m.Path);
                w.Write(m.Reason);
                break;
            default:
                throw new SerializationException($"RControl serializer cannot serialize {obj.GetType().FullName}");
        }
    }

    private static int EstimateSize(CommandTaskActor.Output output)
    {
        long chars = 0;
        foreach (var line in output.Lines)
        {
            chars += line.Length + 1;
        }

        return (int)Math.Min(chars + 64, 64 * 1024 * 1024);
    }

    private static void WriteCommandSpec(BinaryWriter w, CommandSpec spec)
    {
        w.Write(spec.Command);
        w.Write(spec.CombineStderr);
        WriteNullableString(w, spec.WorkingDirectory);
        WriteNullableTime(w, spec.Timeout);
        WriteNullableTime(w, spec.OutputTimeout);
        w.Write(spec.Environment is not null);
        if (spec.Environment is { } env)
        {
            w.Write(env.Count);
            foreach (var (key, value) in env)
            {
                w.Write(key);
                w.Write(value);
            }
        }
    }

    private static CommandSpec ReadCommandSpec(BinaryReader r)
    {
        var command = r.ReadString();
        var combine = r.ReadBoolean();
        var workingDirectory = ReadNullableString(r);
        var timeout = ReadNullableTime(r);
        var outputTimeout = ReadNullableTime(r);
        Dictionary<string, string>? env = null;
        if (r.ReadBoolean())
        {
            var count = r.ReadInt32();
            env = new Dictionary<string, string>(count, StringComparer.Ordinal);
            for (var i = 0; i < count; i++)
            {
                env[r.ReadString()] = r.ReadString();
            }
        }

        return new CommandSpec(command)
        {
            CombineStderr = combine,
            WorkingDirectory = workingDirectory,
            Timeout = timeout,
            OutputTimeout = outputTimeout,
            Environment = env,
        };
    }

    private static void WriteSessionSpec(BinaryWriter w, SessionSpec spec, bool withSecrets, int depth)
    {
        switch (spec)
        {
            case LocalSessionSpec local:
                w.Write(LocalKind);
                WriteNullableString(w, local.WorkingDirectory);
                break;
            case SshSessionSpec ssh:
                w.Write(SshKind);
                WriteSsh(w, ssh, withSecrets, depth);
                break;
            default:
                throw new SerializationException($"RControl serializer cannot serialize session spec {spec.GetType().FullName}");
        }
    }

    private static void WriteSsh(BinaryWriter w, SshSessionSpec s, bool withSecrets, int depth)
    {
        w.Write(s.Host);
        WriteNullableInt(w, s.Port);
        WriteNullableString(w, s.User);
        WriteStrings(w, s.IdentityFiles);
        WriteNullableString(w, withSecrets ? s.Password : null);
        WriteNullableString(w, withSecrets ? s.Passphrase : null);
        WriteNullableString(w, s.KnownHostsFile);
        w.Write((byte)s.HostKeyPolicy);
        WriteNullableString(w, s.ProxyJump);
        WriteNullableString(w, s.SshConfigFile);
        w.Write(s.ConnectTimeout.Ticks);
        w.Write(s.KeepAlive.Ticks);
        w.Write(s.MaxChannels);
        w.Write(s.MaxConnections);
        w.Write(s.KeyExchangeAlgorithms is not null);
        if (s.KeyExchangeAlgorithms is { } kex)
        {
            WriteStrings(w, kex);
        }

        var jumps = depth < MaxJumpDepth ? s.JumpHosts : null;
        w.Write(jumps is not null);
        if (jumps is not null)
        {
            w.Write(jumps.Count);
            foreach (var (name, jump) in jumps)
            {
                w.Write(name);
                WriteSsh(w, jump, withSecrets, depth + 1);
            }
        }
    }

    private static SessionSpec ReadSessionSpec(BinaryReader r, int depth)
    {
        var kind = r.ReadByte();
        return kind switch
        {
            LocalKind => new LocalSessionSpec { WorkingDirectory = ReadNullableString(r) },
            SshKind => ReadSsh(r, depth),
            _ => throw new SerializationException($"RControl serializer: unknown session kind {kind}"),
        };
    }

    private static SshSessionSpec ReadSsh(BinaryReader r, int depth)
    {
        if (depth > MaxJumpDepth)
        {
            throw new SerializationException("RControl serializer: jump hosts nested too deep");
        }

        var spec = new SshSessionSpec(r.ReadString())
        {
            Port = ReadNullableInt(r),
            User = ReadNullableString(r),
            IdentityFiles = ReadStrings(r),
            Password = ReadNullableString(r),
            Passphrase = ReadNullableString(r),
            KnownHostsFile = ReadNullableString(r),
            HostKeyPolicy = (HostKeyPolicy)r.ReadByte(),
            ProxyJump = ReadNullableString(r),
            SshConfigFile = ReadNullableString(r),
            ConnectTimeout = TimeSpan.FromTicks(r.ReadInt64()),
            KeepAlive = TimeSpan.FromTicks(r.ReadInt64()),
            MaxChannels = r.ReadInt32(),
            MaxConnections = r.ReadInt32(),
        };
        if (r.ReadBoolean())
        {
            spec = spec with { KeyExchangeAlgorithms = ReadStrings(r) };
        }

        if (r.ReadBoolean())
        {
            var count = r.ReadInt32();
            var jumps = new Dictionary<string, SshSessionSpec>(count, StringComparer.Ordinal);
            for (var i = 0; i < count; i++)
            {
                jumps[r.ReadString()] = ReadSsh(r, depth + 1);
            }

            spec = spec with { JumpHosts = jumps };
        }

        return spec;
    }

    private static void WriteFileCall(BinaryWriter w, FileServiceActor.Call m)
    {
        w.Write(m.Session);
        w.Write((byte)m.Op);
        w.Write(m.Path);
        WriteNullableString(w, m.Other);
        w.Write(m.Number);
        w.Write(m.Handle);
        WriteBytes(w, m.Data);
    }

    private static FileServiceActor.Call ReadFileCall(BinaryReader r) =>
        new(r.ReadString(), (FileServiceActor.Op)r.ReadByte(), r.ReadString(), ReadNullableString(r), r.ReadInt64(), r.ReadInt64(), ReadBytes(r));

    private static void WriteFileResult(BinaryWriter w, FileServiceActor.Result m)
    {
        w.Write(m.Stat is not null);
        if (m.Stat is { } stat)
        {
            WriteStat(w, stat);
        }

        w.Write(m.Entries is not null);
        if (m.Entries is { } entries)
        {
            w.Write(entries.Count);
            foreach (var entry in entries)
            {
                w.Write(entry.Name);
                WriteStat(w, entry.Stat);
            }
        }

        WriteNullableString(w, m.Text);
        w.Write(m.Handle);
        WriteBytes(w, m.Data);
    }

    private static FileServiceActor.Result ReadFileResult(BinaryReader r)
    {
        var stat = r.ReadBoolean() ? ReadStat(r) : null;
        FileEntry[]? entries = null;
        if (r.ReadBoolean())
        {
            entries = new FileEntry[r.ReadInt32()];
            for (var i = 0; i < entries.Length; i++)
            {
                entries[i] = new FileEntry(r.ReadString(), ReadStat(r));
            }
        }

        return new FileServiceActor.Result(stat, entries, ReadNullableString(r), r.ReadInt64(), ReadBytes(r));
    }

    private static void WriteStat(BinaryWriter w, FileStat stat)
    {
        w.Write((byte)stat.Kind);
        w.Write(stat.Size);
        w.Write((int)stat.Mode);
        w.Write(stat.ModifiedAt.UtcTicks);
    }

    private static FileStat ReadStat(BinaryReader r) =>
        new((FileKind)r.ReadByte(), r.ReadInt64(), (UnixFileMode)r.ReadInt32(), new DateTimeOffset(r.ReadInt64(), TimeSpan.Zero));

    private static void WriteBytes(BinaryWriter w, byte[]? data)
    {
        w.Write(data is null ? -1 : data.Length);
        if (data is not null)
        {
            w.Write(data);
        }
    }

    private static byte[]? ReadBytes(BinaryReader r)
    {
        var length = r.ReadInt32();
        return length < 0 ? null : r.ReadBytes(length);
    }

    private IActorRef ReadActorRef(BinaryReader r) => system.Provider.ResolveActorRef(r.ReadString());

    private static void WriteStrings(BinaryWriter w, IReadOnlyCollection<string> values)
    {
        w.Write(values.Count);
        foreach (var value in values)
        {
            w.Write(value);
        }
    }

    private static string[] ReadStrings(BinaryReader r)
    {
        var count = r.ReadInt32();
        if (count < 0)
        {
            throw new SerializationException($"RControl serializer: bad string count {count}");
        }

        var values = new string[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = r.ReadString();
        }

        return values;
    }

    private static void WriteNullableString(BinaryWriter w, string? value)
    {
        w.Write(value is not null);
        if (value is not null)
        {
            w.Write(value);
        }
    }

    private static string? ReadNullableString(BinaryReader r) => r.ReadBoolean() ? r.ReadString() : null;

    private static void WriteNullableInt(BinaryWriter w, int? value)
    {
        w.Write(value.HasValue);
        if (value is { } v)
        {
            w.Write(v);
        }
    }

    private static int? ReadNullableInt(BinaryReader r) => r.ReadBoolean() ? r.ReadInt32() : null;

    private static void WriteNullableTime(BinaryWriter w, TimeSpan? value)
    {
        w.Write(value.HasValue);
        if (value is { } v)
        {
            w.Write(v.Ticks);
        }
    }

    private static TimeSpan? ReadNullableTime(BinaryReader r) => r.ReadBoolean() ? TimeSpan.FromTicks(r.ReadInt64()) : null;
}
