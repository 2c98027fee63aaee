{{/* Names. */}}
{{- define "spaceport.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "spaceport.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* "{fullname}-{component}", within 63 characters. */}}
{{- define "spaceport.componentName" -}}
{{- $root := index . 0 }}{{ $component := index . 1 }}
{{- printf "%s-%s" (include "spaceport.fullname" $root | trunc (int (sub 62 (len $component))) | trimSuffix "-") $component }}
{{- end }}

{{- define "spaceport.controller.fullname" -}}{{ include "spaceport.componentName" (list . "controller") }}{{- end }}
{{- define "spaceport.proxy.fullname" -}}{{ include "spaceport.componentName" (list . "proxy") }}{{- end }}
{{- define "spaceport.builder.fullname" -}}{{ include "spaceport.componentName" (list . "builder") }}{{- end }}
{{- define "spaceport.hardware.fullname" -}}{{ include "spaceport.componentName" (list . "hardware") }}{{- end }}
{{- define "spaceport.kubeconfig.fullname" -}}{{ include "spaceport.componentName" (list . "kubeconfig") }}{{- end }}
{{- define "spaceport.secret.fullname" -}}{{ include "spaceport.fullname" . }}{{- end }}

{{- define "spaceport.controller.serviceAccountName" -}}
{{- default (include "spaceport.controller.fullname" .) .Values.controller.serviceAccount.name }}
{{- end }}

{{/* Labels: the recommended set; selector labels are the stable subset. */}}
{{- define "spaceport.selectorLabels" -}}
app.kubernetes.io/name: {{ include "spaceport.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "spaceport.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "spaceport.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: spaceport
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Labels of a component's pods: the selector labels, commonLabels and the component's podLabels.
Call: include "spaceport.podLabels" (list . "controller" .Values.controller)
*/}}
{{- define "spaceport.podLabels" -}}
{{- $root := index . 0 }}{{ $v := index . 2 }}
{{- include "spaceport.componentSelectorLabels" (list $root (index . 1)) }}
{{- with $root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- with $v.podLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
The pod spec fields every component lets operators set (values: priorityClassName,
terminationGracePeriodSeconds, topologySpreadConstraints, initContainers), at pod spec indentation.
Call: include "spaceport.podSpecExtras" .Values.controller | nindent 6
*/}}
{{- define "spaceport.podSpecExtras" -}}
{{- with .priorityClassName }}
priorityClassName: {{ . | quote }}
{{- end }}
{{- if not (kindIs "invalid" .terminationGracePeriodSeconds) }}
terminationGracePeriodSeconds: {{ int64 .terminationGracePeriodSeconds }}
{{- end }}
{{- with .topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .initContainers }}
initContainers:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .hostAliases }}
hostAliases:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{- define "spaceport.componentSelectorLabels" -}}
{{- $root := index . 0 }}
{{- include "spaceport.selectorLabels" $root }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{- define "spaceport.componentLabels" -}}
{{- $root := index . 0 }}
{{- include "spaceport.labels" $root }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{/* Settings derived from values. */}}
{{- define "spaceport.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "spaceport.spacesNamespace" -}}
{{- default .Release.Namespace .Values.spaces.namespace }}
{{- end }}

{{- define "spaceport.hubHost" -}}
{{- default .Values.domain .Values.hub.host }}
{{- end }}

{{- define "spaceport.publicUrl" -}}
{{- if .Values.hub.publicUrl }}
{{- .Values.hub.publicUrl | trimSuffix "/" }}
{{- else }}
{{- $scheme := "http" }}
{{- if and .Values.ingress.enabled .Values.ingress.tls.secretName }}{{ $scheme = "https" }}{{ end }}
{{- printf "%s://%s" $scheme (include "spaceport.hubHost" .) }}
{{- end }}
{{- end }}

{{- define "spaceport.controllerUrl" -}}
{{- default (printf "http://%s.%s.svc:%d" (include "spaceport.controller.fullname" .) .Release.Namespace (int .Values.controller.service.port)) .Values.proxy.controllerUrl }}
{{- end }}

{{- define "spaceport.instanceName" -}}
{{- default .Release.Name .Values.controller.instanceName | trunc 31 | trimSuffix "-" }}
{{- end }}

{{- define "spaceport.dockerHost" -}}
{{- if eq .Values.builder.mode "dind" }}
{{- printf "tcp://%s:%d" (include "spaceport.builder.fullname" .) (int .Values.builder.dind.port) }}
{{- else if .Values.builder.hostSocket }}
{{- "unix:///var/run/docker.sock" }}
{{- else }}
{{- required "builder.dockerHost is required with builder.mode external" .Values.builder.dockerHost }}
{{- end }}
{{- end }}

{{- define "spaceport.adminSecretName" -}}
{{- default (include "spaceport.secret.fullname" .) .Values.admin.existingSecret }}
{{- end }}
{{- define "spaceport.adminSecretKey" -}}
{{- ternary .Values.admin.existingSecretKey "admin-token" (ne .Values.admin.existingSecret "") }}
{{- end }}
{{- define "spaceport.internalSecretName" -}}
{{- default (include "spaceport.secret.fullname" .) .Values.internalToken.existingSecret }}
{{- end }}
{{/* "true" when the chart makes the Spaces' image pull Secret from registry.username/password. */}}
{{- define "spaceport.spacesPullSecretGenerated" -}}
{{- if and (eq .Values.runtime "kubernetes") (not .Values.registry.existingSecret) .Values.registry.username .Values.registry.password }}true{{ end }}
{{- end }}

{{/* The Secrets Space pods pull with (SPACEPORT_K8S_IMAGE_PULL_SECRETS), comma-separated. */}}
{{- define "spaceport.spacesPullSecrets" -}}
{{- $names := .Values.registry.pullSecrets }}
{{- if include "spaceport.spacesPullSecretGenerated" . }}
{{- $names = prepend $names (include "spaceport.componentName" (list . "pull")) }}
{{- end }}
{{- join "," $names }}
{{- end }}

{{- define "spaceport.metricsSecretName" -}}
{{- default (include "spaceport.secret.fullname" .) .Values.metrics.token.existingSecret }}
{{- end }}
{{- define "spaceport.metricsSecretKey" -}}
{{- ternary .Values.metrics.token.existingSecretKey "metrics-token" (ne .Values.metrics.token.existingSecret "") }}
{{- end }}
{{- define "spaceport.internalSecretKey" -}}
{{- ternary .Values.internalToken.existingSecretKey "internal-token" (ne .Values.internalToken.existingSecret "") }}
{{- end }}

{{/*
A generated secret value that survives upgrades: the value already in the chart's Secret (lookup)
or a new random one. `helm template` (no cluster) always generates.
Call: include "spaceport.keptSecret" (list . "key" "generated value")
*/}}
{{- define "spaceport.keptSecret" -}}
{{- $root := index . 0 }}{{ $key := index . 1 }}
{{- $existing := lookup "v1" "Secret" $root.Release.Namespace (include "spaceport.secret.fullname" $root) | default dict }}
{{- $data := get $existing "data" | default dict }}
{{- if hasKey $data $key }}
{{- get $data $key | b64dec }}
{{- else }}
{{- index . 2 }}
{{- end }}
{{- end }}

{{/* Checks that stop an install that could not work, with the fix. */}}
{{- define "spaceport.validate" -}}
{{- if and (eq .Values.runtime "kubernetes") (not .Values.registry.push) }}
{{- fail "registry.push is required with runtime kubernetes: nodes pull Space images from a registry (e.g. registry.example.com/spaceport)" }}
{{- end }}
{{- if and (eq .Values.builder.mode "dind") .Values.builder.hostSocket }}
{{- fail "builder.hostSocket applies to builder.mode external only" }}
{{- end }}
{{- if and .Values.spaces.createNamespace (eq (include "spaceport.spacesNamespace" .) .Release.Namespace) }}
{{- fail "spaces.createNamespace needs spaces.namespace set to a namespace other than the release's" }}
{{- end }}
{{- end }}

{{/*
Changes when what the pods read from the chart's Secret changes (registry credentials, the database URL, which Secrets
hold the tokens), so `helm upgrade` restarts them: env from a Secret is read at start only. The
generated tokens are left out: they never change (kept across upgrades), and at install the Secret's
random values would be drawn twice (once for the Secret, once for this checksum).
*/}}
{{- define "spaceport.secretChecksum" -}}
{{- list .Values.registry.username .Values.registry.password .Values.registry.existingSecret .Values.admin .Values.internalToken .Values.metrics .Values.controller.database | toJson | sha256sum }}
{{- end }}

{{/* A PriorityClass of this install: cluster-scoped, so named after the release and its namespace (two installs never collide). */}}
{{- define "spaceport.priorityClassName" -}}
{{- $ctx := index . 0 }}{{ printf "%s-%s-%s" (include "spaceport.fullname" $ctx) $ctx.Release.Namespace (index . 1) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "spaceport.pauseImage" -}}
{{ .Values.scheduling.pauseImage.repository }}:{{ .Values.scheduling.pauseImage.tag }}
{{- end }}

{{/* Several controller replicas need PostgreSQL (one leader, elected there) and one shared data volume. */}}
{{- define "spaceport.controller.checkReplicas" -}}
{{- $c := .Values.controller }}
{{- if gt (int $c.replicas) 1 }}
{{- if not (or $c.database.url $c.database.existingSecret) }}
{{- fail "controller.replicas > 1 needs PostgreSQL: set controller.database.url or controller.database.existingSecret (SQLite serves one process)" }}
{{- end }}
{{- if and (not $c.persistence.existingClaim) (not (has "ReadWriteMany" $c.persistence.accessModes)) }}
{{- fail "controller.replicas > 1 needs one data volume for all replicas (git repos, LFS objects, keys): set controller.persistence.accessModes: [ReadWriteMany], or an existingClaim that is" }}
{{- end }}
{{- end }}
{{- end }}
