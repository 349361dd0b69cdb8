using RControl.Files;

namespace RControl.Protocol;

/// <summary>
/// The remote file service's protocol (<c>files.proto</c>): one request record per operation, each answered with its
/// own answer record or with <see cref="Failed"/>. Requests on a path name the engine's session; requests on an open
/// file name its handle (and the path, for error messages).
/// </summary>
internal static class FileProtocol
{
    /// <summary>Largest chunk read or written per message.</summary>
    public const int ChunkSize = 256 * 1024;

    /// <summary>A request of the file service.</summary>
    public interface IRequest : IRControlWireMessage
    {
        /// <summary>The file path the operation is about (for open files, the path they were opened with).</summary>
        string Path { get; }

        /// <summary>The operation's name in error messages (<c>stat</c>, <c>open</c>, <c>read</c> …).</summary>
        string Operation { get; }
    }

    /// <summary>A request on a path of a named session.</summary>
    public interface IPathRequest : IRequest
    {
        string Session { get; }
    }

    /// <summary>A request on a file opened by <see cref="OpenFile"/>.</summary>
    public interface IHandleRequest : IRequest
    {
        long Handle { get; }
    }

    /// <summary>Stat a path; answered with <see cref="StatAnswer"/> (no stat when the path does not exist).</summary>
    public sealed record StatPath(string Session, string Path, bool FollowLinks) : IPathRequest
    {
        public string Operation => FollowLinks ? "stat" : "lstat";
    }

    /// <summary>List a directory; answered with <see cref="DirectoryListing"/>.</summary>
    public sealed record ListDirectory(string Session, string Path) : IPathRequest
    {
        public string Operation => "list";
    }

    /// <summary>Create a directory; answered with <see cref="Done"/>.</summary>
    public sealed record MakeDirectory(string Session, string Path) : IPathRequest
    {
        public string Operation => "mkdir";
    }

    /// <summary>Remove a file or link; answered with <see cref="Done"/>.</summary>
    public sealed record RemoveFile(string Session, string Path) : IPathRequest
    {
        public string Operation => "removefile";
    }

    /// <summary>Remove an empty directory; answered with <see cref="Done"/>.</summary>
    public sealed record RemoveDirectory(string Session, string Path) : IPathRequest
    {
        public string Operation => "removedirectory";
    }

    /// <summary>Rename <see cref="Path"/> to <see cref="Destination"/>; answered with <see cref="Done"/>.</summary>
    public sealed record RenamePath(string Session, string Path, string Destination) : IPathRequest
    {
        public string Operation => "rename";
    }

    /// <summary>Read a symbolic link; answered with <see cref="LinkTarget"/>.</summary>
    public sealed record ReadLink(string Session, string Path) : IPathRequest
    {
        public string Operation => "readlink";
    }

    /// <summary>Create a symbolic link at <see cref="Path"/> pointing to <see cref="Target"/>; answered with <see cref="Done"/>.</summary>
    public sealed record CreateSymlink(string Session, string Path, string Target) : IPathRequest
    {
        public string Operation => "symlink";
    }

    /// <summary>Set a path's permission bits; answered with <see cref="Done"/>.</summary>
    public sealed record ChangeMode(string Session, string Path, UnixFileMode Mode) : IPathRequest
    {
        public string Operation => "chmod";
    }

    /// <summary>Open a file; answered with <see cref="FileOpened"/>.</summary>
    public sealed record OpenFile(string Session, string Path, FileOpenMode Mode) : IPathRequest
    {
        public string Operation => "open";
    }

    /// <summary>Read up to <see cref="MaxBytes"/> (at most <see cref="ChunkSize"/>) of an open file; answered with <see cref="Chunk"/>.</summary>
    public sealed record ReadChunk(long Handle, int MaxBytes, string Path) : IHandleRequest
    {
        public string Operation => "read";
    }

    /// <summary>Write bytes (at most <see cref="ChunkSize"/>) to an open file; answered with <see cref="Done"/>.</summary>
    public sealed record WriteChunk(long Handle, byte[] Data, string Path) : IHandleRequest
    {
        public string Operation => "write";
    }

    /// <summary>Close an open file (closing twice is fine); answered with <see cref="Done"/>.</summary>
    public sealed record CloseFile(long Handle, string Path) : IHandleRequest
    {
        public string Operation => "close";
    }

    /// <summary>The stat of a path, or null when it does not exist.</summary>
    public sealed record StatAnswer(FileStat? Stat) : IRControlWireMessage;

    /// <summary>The entries of a directory.</summary>
    public sealed record DirectoryListing(IReadOnlyList<FileEntry> Entries) : IRControlWireMessage;

    /// <summary>Where a symbolic link points.</summary>
    public sealed record LinkTarget(string Target) : IRControlWireMessage;

    /// <summary>The handle of an opened file.</summary>
    public sealed record FileOpened(long Handle) : IRControlWireMessage;

    /// <summary>Bytes read from an open file; empty at the end of the file.</summary>
    public sealed record Chunk(byte[] Data) : IRControlWireMessage;

    /// <summary>The operation succeeded and has nothing to return.</summary>
    public sealed record Done : IRControlWireMessage
    {
        public static Done Instance { get; } = new();
    }

    /// <summary>The answer to a failed request.</summary>
    public sealed record Failed(FileErrorKind Kind, string Operation, string Path, string Reason) : IRControlWireMessage;
}
