using System.Runtime.Serialization;
using Google.Protobuf;
using RControl.Files;
using P = RControl.Protocol.FileProtocol;
using W = RControl.Protocol.Wire;

namespace RControl.Serialization;

/// <summary>Maps the file service's messages (<c>files.proto</c>) to and from their records.</summary>
internal static class FileWire
{
    public static W.StatPath ToWire(P.StatPath m) => new() { Session = m.Session, Path = m.Path, FollowLinks = m.FollowLinks };

    public static P.StatPath FromWire(W.StatPath w) => new(w.Session, w.Path, w.FollowLinks);

    public static W.ListDirectory ToWire(P.ListDirectory m) => new() { Session = m.Session, Path = m.Path };

    public static P.ListDirectory FromWire(W.ListDirectory w) => new(w.Session, w.Path);

    public static W.MakeDirectory ToWire(P.MakeDirectory m) => new() { Session = m.Session, Path = m.Path };

    public static P.MakeDirectory FromWire(W.MakeDirectory w) => new(w.Session, w.Path);

    public static W.RemoveFile ToWire(P.RemoveFile m) => new() { Session = m.Session, Path = m.Path };

    public static P.RemoveFile FromWire(W.RemoveFile w) => new(w.Session, w.Path);

    public static W.RemoveDirectory ToWire(P.RemoveDirectory m) => new() { Session = m.Session, Path = m.Path };

    public static P.RemoveDirectory FromWire(W.RemoveDirectory w) => new(w.Session, w.Path);

    public static W.RenamePath ToWire(P.RenamePath m) => new() { Session = m.Session, Path = m.Path, Destination = m.Destination };

    public static P.RenamePath FromWire(W.RenamePath w) => new(w.Session, w.Path, w.Destination);

    public static W.ReadLink ToWire(P.ReadLink m) => new() { Session = m.Session, Path = m.Path };

    public static P.ReadLink FromWire(W.ReadLink w) => new(w.Session, w.Path);

    public static W.CreateSymlink ToWire(P.CreateSymlink m) => new() { Session = m.Session, Path = m.Path, Target = m.Target };

    public static P.CreateSymlink FromWire(W.CreateSymlink w) => new(w.Session, w.Path, w.Target);

    public static W.ChangeMode ToWire(P.ChangeMode m) => new() { Session = m.Session, Path = m.Path, Mode = (int)m.Mode };

    public static P.ChangeMode FromWire(W.ChangeMode w) => new(w.Session, w.Path, (UnixFileMode)(w.Mode & 0xFFF));

    public static W.OpenFile ToWire(P.OpenFile m) => new() { Session = m.Session, Path = m.Path, Mode = (W.FileOpenMode)m.Mode };

    public static P.OpenFile FromWire(W.OpenFile w) => new(w.Session, w.Path, WireLimits.Enum<FileOpenMode>((int)w.Mode, "open mode"));

    public static W.ReadChunk ToWire(P.ReadChunk m) => new() { Handle = m.Handle, MaxBytes = m.MaxBytes, Path = m.Path };

    public static P.ReadChunk FromWire(W.ReadChunk w) => new(w.Handle, Math.Clamp(w.MaxBytes, 1, P.ChunkSize), w.Path);

    public static W.WriteChunk ToWire(P.WriteChunk m) => new() { Handle = m.Handle, Data = ByteString.CopyFrom(m.Data), Path = m.Path };

    public static P.WriteChunk FromWire(W.WriteChunk w) => new(w.Handle, WireLimits.Chunk(w.Data, "written data"), w.Path);

    public static W.CloseFile ToWire(P.CloseFile m) => new() { Handle = m.Handle, Path = m.Path };

    public static P.CloseFile FromWire(W.CloseFile w) => new(w.Handle, w.Path);

    public static W.StatAnswer ToWire(P.StatAnswer m) => new() { Stat = m.Stat is { } stat ? ToWire(stat) : null };

    public static P.StatAnswer FromWire(W.StatAnswer w) => new(w.Stat is { } stat ? FromWire(stat) : null);

    public static W.DirectoryListing ToWire(P.DirectoryListing m) =>
        new() { Entries = { m.Entries.Select(e => new W.FileEntry { Name = e.Name, Stat = ToWire(e.Stat) }) } };

    public static P.DirectoryListing FromWire(W.DirectoryListing w) =>
        new(w.Entries.Select(e => new FileEntry(e.Name, FromWire(e.Stat))).ToArray());

    public static W.LinkTarget ToWire(P.LinkTarget m) => new() { Target = m.Target };

    public static P.LinkTarget FromWire(W.LinkTarget w) => new(w.Target);

    public static W.FileOpened ToWire(P.FileOpened m) => new() { Handle = m.Handle };

    public static P.FileOpened FromWire(W.FileOpened w) => new(w.Handle);

    public static W.FileChunk ToWire(P.Chunk m) => new() { Data = ByteString.CopyFrom(m.Data) };

    public static P.Chunk FromWire(W.FileChunk w) => new(WireLimits.Chunk(w.Data, "read data"));

    public static W.FileFailed ToWire(P.Failed m) =>
        new() { Kind = (W.FileErrorKind)m.Kind, Operation = m.Operation, Path = m.Path, Reason = m.Reason };

    public static P.Failed FromWire(W.FileFailed w) =>
        new(WireLimits.Enum<FileErrorKind>((int)w.Kind, "file error kind"), w.Operation, w.Path, w.Reason);

    private static W.FileStat ToWire(FileStat stat) => new()
    {
        Kind = (W.FileKind)stat.Kind,
        Size = stat.Size,
        Mode = (int)stat.Mode,
        ModifiedAtTicks = stat.ModifiedAt.UtcTicks,
    };

    private static FileStat FromWire(W.FileStat? w)
    {
        w ??= new W.FileStat();
        if (w.ModifiedAtTicks < DateTimeOffset.MinValue.UtcTicks || w.ModifiedAtTicks > DateTimeOffset.MaxValue.UtcTicks)
        {
            throw new SerializationException($"file time {w.ModifiedAtTicks} is out of range");
        }

        return new FileStat(WireLimits.Enum<FileKind>((int)w.Kind, "file kind"), w.Size, (UnixFileMode)w.Mode, new DateTimeOffset(w.ModifiedAtTicks, TimeSpan.Zero));
    }
}
