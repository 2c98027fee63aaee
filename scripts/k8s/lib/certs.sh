# Certificates and kubeconfigs of the test cluster (openssl; EC P-256 keys, an RSA service-account key).
# shellcheck shell=bash

# issue_cert NAME SUBJECT EXT_KEY_USAGE [SANS]: a key and a CA-signed certificate in $PKI/NAME.{key,crt}.
issue_cert() {
  local name=$1 subject=$2 eku=$3 sans=${4:-}
  openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/$name.key" 2>/dev/null
  local ext="basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=$eku"
  [ -n "$sans" ] && ext+=$'\n'"subjectAltName=$sans"
  openssl req -new -key "$PKI/$name.key" -subj "$subject" 2>/dev/null |
    openssl x509 -req -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
      -days 3650 -extfile <(printf '%s\n' "$ext") -out "$PKI/$name.crt" 2>/dev/null
}

make_certs() {
  mkdir -p "$PKI"
  openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$PKI/ca.key" -subj "/CN=spaceport-k8s-ca" -days 3650 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -out "$PKI/ca.crt" 2>/dev/null
  issue_cert apiserver "/CN=kube-apiserver" serverAuth \
    "IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  issue_cert admin "/O=system:masters/CN=spaceport-admin" clientAuth
  # The apiserver's client certificate towards kubelets (logs, exec, port-forward).
  issue_cert kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
  # The real node's identity: its client certificate to the apiserver and its own serving certificate.
  issue_cert node "/O=system:nodes/CN=system:node:localhost" serverAuth,clientAuth "DNS:localhost,IP:127.0.0.1"
  openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
  openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  chmod 600 "$PKI"/*.key
}

# write_kubeconfig FILE CERT_NAME USER: a kubeconfig for https://127.0.0.1:$APISERVER_PORT, certs embedded.
write_kubeconfig() {
  local file=$1 cert=$2 user=$3
  cat >"$file" <<YAML
apiVersion: v1
kind: Config
clusters:
- name: spaceport-k8s
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority-data: $(base64 -w0 "$PKI/ca.crt")
users:
- name: $user
  user:
    client-certificate-data: $(base64 -w0 "$PKI/$cert.crt")
    client-key-data: $(base64 -w0 "$PKI/$cert.key")
contexts:
- name: spaceport-k8s
  context:
    cluster: spaceport-k8s
    user: $user
current-context: spaceport-k8s
YAML
  chmod 600 "$file"
}
